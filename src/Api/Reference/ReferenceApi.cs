using System.Security.Claims;
using System.Text.RegularExpressions;
using HuaduDispatch.Api.Security;
using HuaduDispatch.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace HuaduDispatch.Api.Reference;

/// <summary>Read endpoints for the district's reference data: areas, teams, warehouses, items, shelters, risk and hazard points.</summary>
public static partial class ReferenceApi
{
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
    private static partial Regex IdPattern();

    private static IReferenceDataGrain Catalogue(IGrainFactory grains) => grains.Grain<IReferenceDataGrain>(ReferenceData.GrainKey);

    /// <summary>Every team with its live status (one call per team grain; 26 in Huadu).</summary>
    public static async Task<IReadOnlyList<RescueTeam>> LiveTeams(IGrainFactory grains) =>
        [.. (await Task.WhenAll((await Catalogue(grains).GetTeamIds()).Select(id => grains.Grain<IRescueTeamGrain>(id).Get()))).OfType<RescueTeam>()];

    /// <summary>Every warehouse with its live stock.</summary>
    public static async Task<IReadOnlyList<Warehouse>> LiveWarehouses(IGrainFactory grains) =>
        [.. (await Task.WhenAll((await Catalogue(grains).GetWarehouseIds()).Select(id => grains.Grain<IWarehouseGrain>(id).Get()))).OfType<Warehouse>()];

    /// <summary>The shelters (of one area, or all) with their live occupancy.</summary>
    public static async Task<IReadOnlyList<ShelterLive>> LiveShelters(IGrainFactory grains, string? areaId = null)
    {
        var ids = (await Catalogue(grains).GetShelters()).Where(s => areaId is null || s.AreaId == areaId).Select(s => s.Id);
        return [.. (await Task.WhenAll(ids.Select(id => grains.Grain<IShelterGrain>(id).Get()))).OfType<ShelterLive>()];
    }

    /// <summary>
    /// An optional areaId query value: blank is no filter; an id the catalogue does not have is a 400 naming the field and the
    /// areas (as for an unknown enum value), not an empty list a console would show as "nothing here".
    /// </summary>
    public static async Task<(string? AreaId, IResult? Error)> AreaFilter(IGrainFactory grains, string? areaId)
    {
        if (string.IsNullOrWhiteSpace(areaId)) return (null, null);
        var areas = (await Catalogue(grains).GetAreas()).Select(a => a.Id).ToList();
        return areas.Contains(areaId, StringComparer.Ordinal)
            ? (areaId, null)
            : (null, Problems.BadQuery("areaId", $"no area has the id '{areaId}'; the areas are: {string.Join(", ", areas)}."));
    }

    public static RouteGroupBuilder MapReferenceApi(this RouteGroupBuilder v1)
    {
        v1.MapGet("/areas", async (IGrainFactory grains) => TypedResults.Ok(await Catalogue(grains).GetAreas()))
            .RequireAuthorization(Policies.AnyRole);

        v1.MapGet("/teams", async (IGrainFactory grains, ClaimsPrincipal user, string? areaId, string? level, string? capability, string? status) =>
        {
            var (area, e0) = await AreaFilter(grains, areaId);
            if (e0 is not null) return e0;
            if (!Problems.TryParseFilter<TeamLevel>(level, "level", out var lvl, out var e1)) return e1!;
            if (!Problems.TryParseFilter<Capability>(capability, "capability", out var cap, out var e2)) return e2!;
            if (!Problems.TryParseFilter<TeamStatus>(status, "status", out var st, out var e3)) return e3!;
            return TypedResults.Ok((await TeamVisibility.ForCaller(await LiveTeams(grains), grains, user.ToActor()))
                .Where(t => area is null || t.AreaId == area)
                .Where(t => lvl is null || t.Level == lvl)
                .Where(t => cap is null || t.Capabilities.Contains(cap.Value))
                .Where(t => st is null || t.Status == st)
                .ToList());
        }).Produces<List<RescueTeam>>().RequireAuthorization(Policies.AnyRole);

        v1.MapGet("/teams/{id}", async (IGrainFactory grains, ClaimsPrincipal user, string id) =>
        {
            if (!IdPattern().IsMatch(id)) return Problems.NotFound("Team", id);
            var team = await grains.Grain<IRescueTeamGrain>(id).Get();
            return team is null ? Problems.NotFound("Team", id) : TypedResults.Ok(await TeamVisibility.ForCaller(team, grains, user.ToActor()));
        }).Produces<RescueTeam>().RequireAuthorization(Policies.AnyRole);

        v1.MapGet("/warehouses", async (IGrainFactory grains, string? areaId, string? kind) =>
        {
            var (area, e0) = await AreaFilter(grains, areaId);
            if (e0 is not null) return e0;
            if (!Problems.TryParseFilter<WarehouseKind>(kind, "kind", out var k, out var e)) return e!;
            return TypedResults.Ok((await LiveWarehouses(grains))
                .Where(w => area is null || w.AreaId == area)
                .Where(w => k is null || w.Kind == k)
                .ToList());
        }).Produces<List<Warehouse>>().RequireAuthorization(Policies.Console);

        v1.MapGet("/warehouses/{id}", async (IGrainFactory grains, string id) =>
        {
            if (!IdPattern().IsMatch(id)) return Problems.NotFound("Warehouse", id);
            var warehouse = await grains.Grain<IWarehouseGrain>(id).Get();
            return warehouse is null ? Problems.NotFound("Warehouse", id) : TypedResults.Ok(warehouse);
        }).Produces<Warehouse>().RequireAuthorization(Policies.Console);

        v1.MapPost("/warehouses/{id}/stock-movements", async (string id, StockMovementRequest body, IGrainFactory grains, System.Security.Claims.ClaimsPrincipal user, HttpContext http) =>
        {
            var movement = await grains.Grain<IWarehouseGrain>(id).RecordMovement(body, user.ToActor(), IdempotencyMiddleware.For(http));
            return TypedResults.Created($"/api/v1/warehouses/{id}/stock-movements", movement);
        }).RequireAuthorization(Policies.Command);

        v1.MapGet("/warehouses/{id}/stock-movements", async Task<IResult> (string id, IGrainFactory grains) =>
        {
            if (!IdPattern().IsMatch(id) || await grains.Grain<IWarehouseGrain>(id).Get() is null) return Problems.NotFound("Warehouse", id);
            return TypedResults.Ok(await grains.Grain<IWarehouseGrain>(id).GetMovements());
        }).Produces<IReadOnlyList<StockMovement>>().RequireAuthorization(Policies.Console);

        // The warehouse's orders: the relief convoys it is to load and send (Planned or Loading), found by the reservations it
        // holds (a convoy's reservation has the convoy's id), earliest departure first.
        v1.MapGet("/warehouses/{id}/shipments", async Task<IResult> (string id, IGrainFactory grains) =>
        {
            if (!IdPattern().IsMatch(id) || await grains.Grain<IWarehouseGrain>(id).Get() is null) return Problems.NotFound("Warehouse", id);
            var held = await grains.Grain<IWarehouseGrain>(id).GetHeldReservations();
            var convoys = await Task.WhenAll(held.Select(r => grains.Grain<IShipmentGrain>(r).Get()));
            return TypedResults.Ok(convoys.OfType<Shipment>()
                .Where(s => s.WarehouseId == id && s.Status is ShipmentStatus.Planned or ShipmentStatus.Loading)
                .OrderBy(s => s.Departure).ThenBy(s => s.Id, StringComparer.Ordinal).ToList());
        }).Produces<IReadOnlyList<Shipment>>().RequireAuthorization(Policies.Console);

        v1.MapGet("/items", async (IGrainFactory grains) => TypedResults.Ok(await Catalogue(grains).GetItems()))
            .RequireAuthorization(Policies.AnyRole);

        v1.MapGet("/shelters", async Task<IResult> (IGrainFactory grains, string? areaId, bool? open, System.Security.Claims.ClaimsPrincipal user) =>
        {
            var (area, e0) = await AreaFilter(grains, areaId);
            if (e0 is not null) return e0;
            var shelters = (await LiveShelters(grains, area)).Where(s => open is null || s.Open == open).ToList();
            return TypedResults.Ok(await ShelterVisibility.ForCaller(shelters, grains, user.ToActor()));
        }).Produces<List<ShelterLive>>().RequireAuthorization(Policies.AnyRole);

        v1.MapGet("/shelters/{id}", async Task<IResult> (IGrainFactory grains, string id, System.Security.Claims.ClaimsPrincipal user) =>
        {
            if (!IdPattern().IsMatch(id)) return Problems.NotFound("Shelter", id);
            return await grains.Grain<IShelterGrain>(id).Get() is { } shelter
                ? TypedResults.Ok(await ShelterVisibility.ForCaller(shelter, grains, user.ToActor()))
                : Problems.NotFound("Shelter", id);
        }).Produces<ShelterLive>().RequireAuthorization(Policies.AnyRole);

        v1.MapPost("/shelters/{id}/occupancy", async (string id, ShelterOccupancyRequest body, IGrainFactory grains, System.Security.Claims.ClaimsPrincipal user) =>
            TypedResults.Ok(await grains.Grain<IShelterGrain>(id).SetOccupancy(body, user.ToActor())))
            .RequireAuthorization(Policies.Command);

        v1.MapGet("/risk-points", async (IGrainFactory grains, string? areaId, string? colour, string? kind) =>
        {
            var (area, e0) = await AreaFilter(grains, areaId);
            if (e0 is not null) return e0;
            if (!Problems.TryParseFilter<RiskColour>(colour, "colour", out var c, out var e1)) return e1!;
            if (!Problems.TryParseFilter<RiskKind>(kind, "kind", out var k, out var e2)) return e2!;
            return TypedResults.Ok((await Catalogue(grains).GetRiskPoints())
                .Where(r => area is null || r.AreaId == area)
                .Where(r => c is null || r.Colour == c)
                .Where(r => k is null || r.Kind == k)
                .ToList());
        }).Produces<List<RiskPoint>>().RequireAuthorization(Policies.AnyRole);

        v1.MapGet("/hazard-points", async (IGrainFactory grains, string? areaId, string? kind) =>
        {
            var (area, e0) = await AreaFilter(grains, areaId);
            if (e0 is not null) return e0;
            if (!Problems.TryParseFilter<HazardKind>(kind, "kind", out var k, out var e)) return e!;
            return TypedResults.Ok((await Catalogue(grains).GetHazardPoints())
                .Where(h => area is null || h.AreaId == area)
                .Where(h => k is null || h.Kind == k)
                .ToList());
        }).Produces<List<HazardPoint>>().RequireAuthorization(Policies.AnyRole);

        v1.MapGet("/reference-data", async Task<IResult> (IGrainFactory grains) =>
        {
            var status = await Catalogue(grains).GetStatus();
            return status is null
                ? TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Reference data not loaded yet")
                : TypedResults.Ok(status);
        }).Produces<ReferenceDataStatus>().RequireAuthorization(Policies.AnyRole);

        v1.MapPost("/reference-data/reload", async Task<IResult> (IReferenceDataReloader reloader, CancellationToken ct) =>
        {
            var (result, errors) = await reloader.ReloadAsync(ct);
            if (result is null)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "The reference data file is invalid",
                    detail: "Nothing was loaded; the set in force is unchanged.",
                    extensions: new Dictionary<string, object?> { ["errors"] = errors });
            }
            return TypedResults.Ok(result);
        }).Produces<ReferenceLoadResult>().RequireAuthorization(Policies.Admin);

        return v1;
    }
}
