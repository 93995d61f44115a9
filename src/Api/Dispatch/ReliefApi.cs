using System.Security.Claims;
using HuaduDispatch.Api.Security;
using HuaduDispatch.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace HuaduDispatch.Api.Dispatch;

/// <summary>Relief logistics: the district plan, an incident's relief, shipments and the relief KPIs.</summary>
public static class ReliefApi
{
    private static IReliefCoordinatorGrain Coordinator(IGrainFactory grains) => grains.GetGrain<IReliefCoordinatorGrain>(ReliefCoordinator.GrainKey);

    public static RouteGroupBuilder MapReliefApi(this RouteGroupBuilder v1)
    {
        v1.MapGet("/relief/plan", async Task<IResult> (IGrainFactory grains) =>
            await Coordinator(grains).GetPlan() is { } plan
                ? TypedResults.Ok(plan)
                : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No plan yet", detail: "no incident has needed relief yet"))
            .Produces<ReliefPlan>().RequireAuthorization(Policies.Console);

        v1.MapPost("/relief/plan", async (IGrainFactory grains) => TypedResults.Ok(await Coordinator(grains).Replan()))
            .RequireAuthorization(Policies.Command);

        v1.MapGet("/incidents/{id}/relief", async Task<IResult> (string id, IGrainFactory grains, ClaimsPrincipal user) =>
        {
            if (await IncidentApi.Visible(grains, id, user) is null) return Problems.NotFound("Incident", id);
            return await grains.GetGrain<IReliefDemandGrain>(id).Get() is { } relief
                ? TypedResults.Ok(relief)
                : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No relief demand",
                    detail: $"incident {id} has no affected or relocated people in its assessment");
        }).Produces<IncidentRelief>().RequireAuthorization(Policies.AnyRole);

        v1.MapGet("/shipments/{id}", async Task<IResult> (string id, IGrainFactory grains) =>
            await grains.GetGrain<IShipmentGrain>(id).Get() is { } shipment ? TypedResults.Ok(shipment) : Problems.NotFound("Shipment", id))
            .Produces<Shipment>().RequireAuthorization(Policies.Console);

        v1.MapPost("/shipments/{id}/status", async (string id, ShipmentStatusRequest body, IGrainFactory grains, ClaimsPrincipal user) =>
            TypedResults.Ok(await grains.GetGrain<IShipmentGrain>(id).UpdateStatus(body, user.ToActor())))
            .RequireAuthorization(Policies.Command);

        v1.MapGet("/kpi/relief", async (IGrainFactory grains) =>
        {
            var ids = await Coordinator(grains).GetTracked();
            var reliefs = (await Task.WhenAll(ids.Select(id => grains.GetGrain<IReliefDemandGrain>(id).Get()))).OfType<IncidentRelief>().ToList();
            var rows = reliefs.Select(r =>
            {
                var people = Math.Max(r.Affected, r.Relocated);
                var relieved = r.Status == ReliefStatus.Met ? people : 0;
                return new IncidentReliefKpi
                {
                    IncidentId = r.IncidentId, Affected = people, RelievedWithin3h = relieved, Status = r.Status,
                    InitialReliefMinutes = r.FirstDeliveryAt is { } first ? Math.Round((first - r.OccurredAt).TotalMinutes, 1) : null,
                    OpenShortfalls = r.Shortfalls.Count,
                };
            }).ToList();
            var affected = rows.Sum(r => r.Affected);
            var relievedAll = rows.Sum(r => r.RelievedWithin3h);
            return TypedResults.Ok(new ReliefKpi
            {
                Incidents = rows, Affected = affected, RelievedWithin3h = relievedAll,
                ShareRelievedWithin3h = affected == 0 ? 0 : Math.Round((double)relievedAll / affected, 4),
                Breaches = rows.Count(r => r.Status == ReliefStatus.Breached), OpenShortfalls = rows.Sum(r => r.OpenShortfalls),
            });
        }).RequireAuthorization(Policies.Console);
        return v1;
    }
}
