using System.Security.Claims;
using HuaduDispatch.Api.Security;
using HuaduDispatch.Api.Standards.EdxlRm;
using HuaduDispatch.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;

namespace HuaduDispatch.Api.Dispatch;

/// <summary>
/// Relief logistics: the district plan, an incident's relief, shipments, the relief KPIs, and escalation: agreement reserve
/// activation, the request to the city as EDXL-RM, and the dispatcher alert feed.
/// </summary>
public static class ReliefApi
{
    private static IReliefCoordinatorGrain Coordinator(IGrainFactory grains) => grains.Grain<IReliefCoordinatorGrain>(ReliefCoordinator.GrainKey);

    public static RouteGroupBuilder MapReliefApi(this RouteGroupBuilder v1)
    {
        v1.MapGet("/relief/plan", async Task<IResult> (IGrainFactory grains, HttpContext context) =>
        {
            if (await Coordinator(grains).GetPlan() is { } plan) return TypedResults.Ok(plan);
            // No plan yet because the first solve failed: say so, and when it is tried again.
            if (await Coordinator(grains).GetSolveFailure() is { } failure)
                return TypedResults.Problem(DomainExceptionHandler.PlanningFailed(context, failure, ReliefPlanningFailedException.Describe(failure, null)));
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No plan yet", detail: "no incident has needed relief yet");
        }).Produces<ReliefPlan>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status503ServiceUnavailable).RequireAuthorization(Policies.Console);

        // Requests queued behind a re-plan under way share the plan made after they were asked.
        v1.MapPost("/relief/plan", async (IGrainFactory grains, TimeProvider clock) => TypedResults.Ok(await Coordinator(grains).ReplanAsOf(clock.GetUtcNow())))
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable).RequireAuthorization(Policies.Command);

        v1.MapGet("/incidents/{id}/relief", async Task<IResult> (string id, IGrainFactory grains, ClaimsPrincipal user) =>
        {
            if (await IncidentApi.Visible(grains, id, user) is null) return Problems.NotFound("Incident", id);
            return await grains.Grain<IReliefDemandGrain>(id).Get() is { } relief
                ? TypedResults.Ok(user.IsInRole(Roles.Agency) ? relief.ForPartner() : relief) // no staff names (PartnerView)
                : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No relief demand",
                    detail: $"incident {id} has no affected or relocated people in its assessment");
        }).Produces<IncidentRelief>().RequireAuthorization(Policies.AnyRole);

        // Routes the dispatchers closed: plans do not send from these warehouses to the incident until allowed again.
        v1.MapPost("/incidents/{id}/relief/avoided-warehouses", async Task<IResult> (string id, AvoidWarehouseRequest body, IGrainFactory grains, ClaimsPrincipal user) =>
        {
            if (await IncidentApi.Visible(grains, id, user) is null) return Problems.NotFound("Incident", id);
            if (string.IsNullOrWhiteSpace(body.WarehouseId)) throw DomainException.Invalid("warehouseId", "warehouseId is required");
            await EnsureWarehouse(grains, body.WarehouseId);
            return TypedResults.Ok(await grains.Grain<IReliefDemandGrain>(id).AvoidWarehouse(body.WarehouseId, body.Reason, null, user.ToActor()));
        }).Produces<IncidentRelief>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).RequireAuthorization(Policies.Command);

        v1.MapDelete("/incidents/{id}/relief/avoided-warehouses/{warehouseId}", async Task<IResult> (string id, string warehouseId, IGrainFactory grains, ClaimsPrincipal user) =>
        {
            if (await IncidentApi.Visible(grains, id, user) is null) return Problems.NotFound("Incident", id);
            // An id that is no warehouse (a typo, the wrong case) is a 400, not a 200 that leaves the real one avoided.
            await EnsureWarehouse(grains, warehouseId);
            return TypedResults.Ok(await grains.Grain<IReliefDemandGrain>(id).AllowWarehouse(warehouseId, user.ToActor()));
        }).Produces<IncidentRelief>().ProducesProblem(StatusCodes.Status404NotFound).RequireAuthorization(Policies.Command);

        // A closed incident's people went home from a shelter: the places they held are released (its relocated figure can no
        // longer be corrected, so this is how its places end; an open incident's figure places its people).
        v1.MapPost("/incidents/{id}/relief/shelter-departures", async Task<IResult> (string id, ShelterDepartureRequest body, IGrainFactory grains, ClaimsPrincipal user) =>
        {
            if (await IncidentApi.Visible(grains, id, user) is null) return Problems.NotFound("Incident", id);
            if (string.IsNullOrWhiteSpace(body.ShelterId)) throw DomainException.Invalid("shelterId", "shelterId is required: the shelter the people left");
            return TypedResults.Ok(await grains.Grain<IReliefDemandGrain>(id).PeopleLeft(body.ShelterId.Trim(), body.People, user.ToActor()));
        }).Produces<IncidentRelief>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).RequireAuthorization(Policies.Command);

        v1.MapGet("/shipments/{id}", async Task<IResult> (string id, IGrainFactory grains) =>
            await grains.Grain<IShipmentGrain>(id).Get() is { } shipment ? TypedResults.Ok(shipment) : Problems.NotFound("Shipment", id))
            .Produces<Shipment>().RequireAuthorization(Policies.Console);

        v1.MapPost("/shipments/{id}/status", async (string id, ShipmentStatusRequest body, IGrainFactory grains, ClaimsPrincipal user) =>
            TypedResults.Ok(await grains.Grain<IShipmentGrain>(id).UpdateStatus(body, user.ToActor())))
            .RequireAuthorization(Policies.Command);

        v1.MapGet("/kpi/relief", async Task<IResult> (IGrainFactory grains, TimeProvider clock, string? since) =>
        {
            if (!Problems.TryParseInstant(since, "since", out var from, out var error)) return error!;
            var ids = from is { } at ? await Coordinator(grains).GetTrackedSince(at) : await Coordinator(grains).GetTracked();
            // The coordinator passes demands whose deadline it has not seen yet; their own deadline decides.
            var reliefs = (await Task.WhenAll(ids.Select(id => grains.Grain<IReliefDemandGrain>(id).Get()))).OfType<IncidentRelief>()
                .Where(r => from is not { } at || r.Deadline >= at);
            return TypedResults.Ok(ReliefKpis.Of(reliefs, clock.GetUtcNow()));
        }).Produces<ReliefKpi>().ProducesValidationProblem().RequireAuthorization(Policies.Console);

        // Escalation: agreement reserves (代储) join plans once activated; each change re-plans.
        v1.MapPost("/warehouses/{id}/activation", async Task<IResult> (string id, ReserveActivationRequest body, IGrainFactory grains, ClaimsPrincipal user) =>
            TypedResults.Ok(await grains.Grain<IWarehouseGrain>(id).Activate(body, user.ToActor())))
            .Produces<Warehouse>().RequireAuthorization(Policies.Command);

        v1.MapPost("/warehouses/{id}/deactivation", async Task<IResult> (string id, IGrainFactory grains, ClaimsPrincipal user) =>
            TypedResults.Ok(await grains.Grain<IWarehouseGrain>(id).Deactivate(user.ToActor())))
            .Produces<Warehouse>().RequireAuthorization(Policies.Command);

        v1.MapGet("/relief/requests/edxl-rm", async Task<IResult> (string? incidentId, IGrainFactory grains, IConfiguration configuration, TimeProvider clock, ClaimsPrincipal user) =>
        {
            if (string.IsNullOrWhiteSpace(incidentId)) incidentId = null; // ?incidentId= means every incident
            if (incidentId is not null && await IncidentApi.Visible(grains, incidentId, user) is null) return Problems.NotFound("Incident", incidentId);
            var plan = await Coordinator(grains).GetPlan();
            var shortfalls = (plan?.Shortfalls ?? []).Where(ReliefCityRequest.NeedsCity)
                .Where(s => incidentId is null || s.IncidentId == incidentId).ToList();
            var items = (await grains.Grain<IReferenceDataGrain>(ReferenceData.GrainKey).GetItems()).ToDictionary(i => i.Code, StringComparer.Ordinal);
            var incidents = new List<EdxlRmIncident>();
            var deadlines = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
            var found = await Task.WhenAll(shortfalls.Select(s => s.IncidentId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
                .Select(async id => (Incident: await grains.Grain<IIncidentGrain>(id).Get(), Relief: await grains.Grain<IReliefDemandGrain>(id).Get())));
            foreach (var (incident, relief) in found)
            {
                if (incident is null || relief is null) continue;
                incidents.Add(new EdxlRmIncident(incident.Id, incident.Title, incident.Type, incident.Location.Lat, incident.Location.Lon, incident.Location.Address));
                // Past the deadline (late relief): the city is asked for it now, not by a time already gone.
                deadlines[incident.Id] = relief.Deadline > clock.GetUtcNow() ? relief.Deadline : clock.GetUtcNow();
            }
            var byId = incidents.ToDictionary(i => i.Id, StringComparer.Ordinal);
            var lines = shortfalls.Where(s => byId.ContainsKey(s.IncidentId))
                .Select(s => new EdxlRmRequestLine(s, items.GetValueOrDefault(s.ItemCode), byId[s.IncidentId], deadlines[s.IncidentId])).ToList();
            var now = clock.GetUtcNow().ToOffset(TimeSpan.FromHours(8));
            var messageId = $"urn:huadu:relief:request:{plan?.PlanId ?? 0}:{incidentId ?? "all"}:{now:yyyyMMddHHmmss}";
            var xml = EdxlRmWriter.Write(messageId, now, incidents, lines, Contact(configuration));
            return TypedResults.Text(xml.Declaration + "\n" + xml.Root, "application/xml", System.Text.Encoding.UTF8);
        }).Produces(StatusCodes.Status200OK, typeof(string), "application/xml").RequireAuthorization(Policies.Console);

        v1.MapGet("/relief/alerts", async Task<IResult> (IGrainFactory grains, string? incidentId, string? since, ClaimsPrincipal user) =>
        {
            if (!Problems.TryParseInstant(since, "since", out var from, out var error)) return error!;
            // An unknown incident is a 404, as for the EDXL-RM export, not an empty feed.
            if (!string.IsNullOrWhiteSpace(incidentId) && await IncidentApi.Visible(grains, incidentId, user) is null) return Problems.NotFound("Incident", incidentId);
            // Every tracked demand is read: a demand raises alerts after its deadline too (the judgement, shelter shortages on new
            // figures), so its deadline cannot rule it out.
            var ids = await Coordinator(grains).GetTracked();
            var alerts = await Task.WhenAll(ids.Where(id => string.IsNullOrWhiteSpace(incidentId) || id == incidentId)
                .Select(id => grains.Grain<IReliefDemandGrain>(id).GetAlerts()));
            return TypedResults.Ok(alerts.SelectMany(a => a).Where(a => from is not { } at || a.At >= at)
                .OrderByDescending(a => a.At).ThenBy(a => a.IncidentId, StringComparer.Ordinal).ToList());
        }).Produces<List<ReliefAlert>>().ProducesValidationProblem().RequireAuthorization(Policies.Console);
        return v1;
    }

    /// <summary>A 400 naming <c>warehouseId</c> when the reference data lists no warehouse with that id.</summary>
    private static async Task EnsureWarehouse(IGrainFactory grains, string warehouseId)
    {
        var known = await grains.Grain<IReferenceDataGrain>(ReferenceData.GrainKey).GetWarehouseIds();
        if (!known.Contains(warehouseId, StringComparer.Ordinal))
            throw DomainException.Invalid("warehouseId", $"no warehouse has the id '{warehouseId}'; GET /api/v1/warehouses lists them");
    }

    /// <summary>The requester in EDXL-RM messages: Relief:CityRequest:{Organisation,Name,Phone,Email}, defaulting to the district centre.</summary>
    private static EdxlRmContact Contact(IConfiguration configuration)
    {
        var section = configuration.GetSection("Relief:CityRequest");
        return new EdxlRmContact(
            section["Organisation"] ?? "Huadu District Emergency Command Centre, Guangzhou (广州市花都区应急指挥中心)",
            section["Name"] ?? "Duty officer",
            section["Phone"] ?? "+86 20 8686 0000",
            section["Email"]);
    }
}
