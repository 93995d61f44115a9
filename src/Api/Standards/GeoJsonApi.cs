using System.Security.Claims;
using HuaduDispatch.Api.Security;
using HuaduDispatch.Api.Standards.GeoJson;
using HuaduDispatch.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace HuaduDispatch.Api.Standards;

/// <summary>GeoJSON (RFC 7946) map layers: incidents, teams, warehouses, shelters, risk points, hazard points.</summary>
public static class GeoJsonApi
{
    public const string MediaType = "application/geo+json";

    /// <summary>Warehouses (and their stock) are console-only in the REST API; the map keeps that rule.</summary>
    private static readonly HashSet<string> WarehouseReaders = [Roles.Dispatcher, Roles.Commander, Roles.Viewer, Roles.Admin];

    public static RouteGroupBuilder MapGeoJsonApi(this RouteGroupBuilder v1)
    {
        v1.MapGet("/map/{layer}", async Task<IResult> (string layer, string? bbox, IGrainFactory grains, ClaimsPrincipal user) =>
        {
            if (!GeoJsonBuilder.Layers.Contains(layer))
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Map layer not found",
                    detail: $"No map layer is called '{layer}'. Layers: {string.Join(", ", GeoJsonBuilder.Layers)}.",
                    extensions: new Dictionary<string, object?> { ["layers"] = GeoJsonBuilder.Layers });
            }
            if (!GeoBox.TryParse(bbox, out var box, out var error)) return Problems.BadQuery("bbox", error!);
            var actor = user.ToActor();
            if (layer == GeoJsonBuilder.Warehouses && !WarehouseReaders.Contains(actor.Role))
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
                    detail: "The warehouses layer is for the command centre's consoles, like GET /api/v1/warehouses.");
            }
            var catalogue = grains.GetGrain<IReferenceDataGrain>(ReferenceData.GrainKey);
            var collection = layer switch
            {
                GeoJsonBuilder.Incidents => GeoJsonBuilder.ForIncidents(await VisibleIncidents(grains, catalogue, actor), box),
                GeoJsonBuilder.Teams => GeoJsonBuilder.ForTeams(await Live<IRescueTeamGrain, RescueTeam>(grains, await catalogue.GetTeamIds(), g => g.Get()), box),
                GeoJsonBuilder.Warehouses => GeoJsonBuilder.ForWarehouses(await Live<IWarehouseGrain, Warehouse>(grains, await catalogue.GetWarehouseIds(), g => g.Get()), box),
                GeoJsonBuilder.Shelters => GeoJsonBuilder.ForShelters(
                    await Live<IShelterGrain, ShelterLive>(grains, [.. (await catalogue.GetShelters()).Select(s => s.Id)], g => g.Get()), box),
                GeoJsonBuilder.RiskPoints => GeoJsonBuilder.ForRiskPoints(await catalogue.GetRiskPoints(), box),
                _ => GeoJsonBuilder.ForHazardPoints(await catalogue.GetHazardPoints(), box),
            };
            return TypedResults.Json(collection, contentType: MediaType);
        }).RequireAuthorization(Policies.AnyRole);
        return v1;
    }

    /// <summary>The board summaries of every area (as GET /incidents reads them), only those the caller may see.</summary>
    private static async Task<IEnumerable<IncidentSummary>> VisibleIncidents(IGrainFactory grains, IReferenceDataGrain catalogue, Actor actor)
    {
        var areas = await catalogue.GetAreas();
        var boards = await Task.WhenAll(areas.Select(a => grains.GetGrain<IAreaBoardGrain>(a.Id).Query(new IncidentFilter())));
        return boards.SelectMany(b => b).Where(actor.CanSee);
    }

    private static async Task<IReadOnlyList<TItem>> Live<TGrain, TItem>(IGrainFactory grains, IReadOnlyList<string> ids, Func<TGrain, Task<TItem?>> get)
        where TGrain : IGrainWithStringKey where TItem : class
    {
        var items = await Task.WhenAll(ids.Select(id => get(grains.GetGrain<TGrain>(id))));
        return [.. items.OfType<TItem>()];
    }
}
