using System.Security.Claims;
using HuaduDispatch.Api.Security;
using HuaduDispatch.Api.Standards.GeoJson;
using HuaduDispatch.Contracts;
using HuaduDispatch.Api.Dispatch;
using HuaduDispatch.Api.Reference;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace HuaduDispatch.Api.Standards;

/// <summary>GeoJSON (RFC 7946) map layers: incidents, teams, warehouses, shelters, risk points, hazard points.</summary>
public static class GeoJsonApi
{
    public const string MediaType = "application/geo+json";

    public static RouteGroupBuilder MapGeoJsonApi(this RouteGroupBuilder v1)
    {
        v1.MapGet("/map/{layer}", async Task<IResult> (string layer, string? bbox, string? status, IGrainFactory grains, ClaimsPrincipal user, IAuthorizationService authorization) =>
        {
            if (!GeoJsonBuilder.Layers.Contains(layer))
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Map layer not found",
                    detail: $"No map layer is called '{layer}'. Layers: {string.Join(", ", GeoJsonBuilder.Layers)}.",
                    extensions: new Dictionary<string, object?> { ["layers"] = GeoJsonBuilder.Layers });
            }
            if (!GeoBox.TryParse(bbox, out var box, out var error)) return Problems.BadQuery("bbox", error!);
            // The incidents layer's status filter (as the list's); the other layers have none, and ignore it as any unknown parameter.
            IncidentStatus? st = null;
            if (layer == GeoJsonBuilder.Incidents && !Problems.TryParseFilter(status, "status", out st, out var badStatus)) return badStatus!;
            // Warehouses (and their stock) are console-only in the REST API (policy console); the map keeps that rule.
            if (layer == GeoJsonBuilder.Warehouses && !(await authorization.AuthorizeAsync(user, Policies.Console)).Succeeded)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
                    detail: "The warehouses layer is for the command centre's consoles, like GET /api/v1/warehouses.");
            }
            var catalogue = grains.Grain<IReferenceDataGrain>(ReferenceData.GrainKey);
            var collection = layer switch
            {
                GeoJsonBuilder.Incidents => GeoJsonBuilder.ForIncidents(await IncidentApi.List(grains, user.ToActor(), new IncidentFilter { Status = st }), box, st),
                GeoJsonBuilder.Teams => GeoJsonBuilder.ForTeams(await TeamVisibility.ForCaller(await ReferenceApi.LiveTeams(grains), grains, user.ToActor()), box),
                GeoJsonBuilder.Warehouses => GeoJsonBuilder.ForWarehouses(await ReferenceApi.LiveWarehouses(grains), box),
                GeoJsonBuilder.Shelters => GeoJsonBuilder.ForShelters(await ReferenceApi.LiveShelters(grains), box),
                GeoJsonBuilder.RiskPoints => GeoJsonBuilder.ForRiskPoints(await catalogue.GetRiskPoints(), box),
                _ => GeoJsonBuilder.ForHazardPoints(await catalogue.GetHazardPoints(), box),
            };
            return TypedResults.Json(collection, contentType: MediaType);
        }).Produces(StatusCodes.Status200OK, typeof(System.Text.Json.JsonElement), MediaType).RequireAuthorization(Policies.AnyRole);
        return v1;
    }
}
