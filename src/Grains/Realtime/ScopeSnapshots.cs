using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Dispatch.Rules;

namespace HuaduDispatch.Grains.Realtime;

/// <summary>What a scope holds, read from the grains that own it (open incidents come from the area boards, never from all incidents).</summary>
public static class ScopeSnapshots
{
    private static readonly IncidentStatus[] Open =
        [IncidentStatus.Reported, IncidentStatus.Verified, IncidentStatus.Responding, IncidentStatus.Contained, IncidentStatus.Recovery];

    public static async Task<IReadOnlyList<EntityChange>> Build(IGrainFactory grains, string scope)
    {
        var catalogue = grains.Grain<IReferenceDataGrain>(ReferenceData.GrainKey);
        var result = new List<EntityChange>();
        if (scope == Scopes.District)
        {
            var areas = await catalogue.GetAreas();
            var open = await AddIncidents(grains, areas.Select(a => a.Id), result);
            var incidents = open.Select(i => i.Id).ToList();
            await AddTasks(grains, incidents, result);
            var posts = await Task.WhenAll(open.Where(i => i.CommandPost).Select(i => grains.Grain<IFieldCommandPostGrain>(i.Id).Get()));
            result.AddRange(posts.OfType<CommandPost>().Select(p => new EntityChange { Kind = DeltaKinds.CommandPost, Id = p.IncidentId, Data = p }));
            await AddTeams(grains, await catalogue.GetTeamIds(), _ => true, result);
            var warehouses = await Task.WhenAll((await catalogue.GetWarehouseIds()).Select(id => grains.Grain<IWarehouseGrain>(id).Get()));
            result.AddRange(warehouses.OfType<Warehouse>().Select(w => new EntityChange { Kind = DeltaKinds.Warehouse, Id = w.Id, Data = w }));
            await AddShelters(grains, catalogue, _ => true, result);
            await AddRelief(grains, incidents, withShipments: true, result);
            if (await grains.Grain<IReliefCoordinatorGrain>(ReliefCoordinator.GrainKey).GetSummary() is { } plan)
                result.Add(new EntityChange { Kind = DeltaKinds.ReliefPlan, Id = ReliefCoordinator.GrainKey, Data = plan });
        }
        else if (scope.StartsWith("area:", StringComparison.Ordinal))
        {
            var areaId = scope["area:".Length..];
            var incidents = (await AddIncidents(grains, [areaId], result)).Select(i => i.Id).ToList();
            await AddTasks(grains, incidents, result);
            await AddTeams(grains, await catalogue.GetTeamIds(), t => t.AreaId == areaId, result);
            await AddShelters(grains, catalogue, s => s.AreaId == areaId, result);
            await AddRelief(grains, incidents, withShipments: false, result); // shipments go to the district and incident scopes
        }
        else if (scope.StartsWith("incident:", StringComparison.Ordinal))
        {
            var id = scope["incident:".Length..];
            var incident = await grains.Grain<IIncidentGrain>(id).Get();
            if (incident is not null)
            {
                result.Add(new EntityChange { Kind = DeltaKinds.Incident, Id = id, Data = incident });
                await AddTasks(grains, [id], result);
                await AddTeams(grains, [.. incident.Teams.Where(t => t.ReleasedAt is null).Select(t => t.TeamId)], _ => true, result);
                if (await grains.Grain<IFieldCommandPostGrain>(id).Get() is { } post)
                    result.Add(new EntityChange { Kind = DeltaKinds.CommandPost, Id = id, Data = post });
                await AddRelief(grains, [id], withShipments: true, result);
            }
        }
        else if (scope.StartsWith("team:", StringComparison.Ordinal))
        {
            var team = await grains.Grain<IRescueTeamGrain>(scope["team:".Length..]).Get();
            if (team is not null)
            {
                result.Add(new EntityChange { Kind = DeltaKinds.Team, Id = team.Id, Data = team });
                if (team.IncidentId is { } incidentId)
                {
                    var tasks = await grains.Grain<IIncidentGrain>(incidentId).GetTasks();
                    result.AddRange(tasks.Where(t => t.TeamId == team.Id && TaskRules.IsOpen(t.Status))
                        .Select(t => new EntityChange { Kind = DeltaKinds.Task, Id = DeltaKinds.TaskId(t.IncidentId, t.Id), Data = t }));
                }
            }
        }
        return result;
    }

    /// <summary>Adds the open incidents of the areas and returns them.</summary>
    private static async Task<IReadOnlyList<Incident>> AddIncidents(IGrainFactory grains, IEnumerable<string> areaIds, List<EntityChange> result)
    {
        var boards = await Task.WhenAll(areaIds.SelectMany(a => Open.Select(s => grains.Grain<IAreaBoardGrain>(a).Query(new IncidentFilter { Status = s }))));
        var incidents = (await Task.WhenAll(boards.SelectMany(b => b).Select(s => grains.Grain<IIncidentGrain>(s.Id).Get()))).OfType<Incident>().ToList();
        result.AddRange(incidents.Select(i => new EntityChange { Kind = DeltaKinds.Incident, Id = i.Id, Data = i }));
        return incidents;
    }

    /// <summary>Adds every task of the incidents (the scopes that carry an incident's deltas carry its tasks' too).</summary>
    private static async Task AddTasks(IGrainFactory grains, IReadOnlyList<string> incidentIds, List<EntityChange> result)
    {
        var tasks = await Task.WhenAll(incidentIds.Select(id => grains.Grain<IIncidentGrain>(id).GetTasks()));
        result.AddRange(tasks.SelectMany(t => t).Select(t => new EntityChange { Kind = DeltaKinds.Task, Id = DeltaKinds.TaskId(t.IncidentId, t.Id), Data = t }));
    }

    private static async Task AddShelters(IGrainFactory grains, IReferenceDataGrain catalogue, Func<ShelterLive, bool> keep, List<EntityChange> result)
    {
        var shelters = await Task.WhenAll((await catalogue.GetShelters()).Select(s => grains.Grain<IShelterGrain>(s.Id).Get()));
        result.AddRange(shelters.OfType<ShelterLive>().Where(keep).Select(s => new EntityChange { Kind = DeltaKinds.Shelter, Id = s.Id, Data = s }));
    }

    /// <summary>
    /// The relief of each incident that has one and, with <paramref name="withShipments"/>, its convoys that are not cancelled,
    /// read from the shipment grains (the owners of their status).
    /// </summary>
    private static async Task AddRelief(IGrainFactory grains, IReadOnlyList<string> incidentIds, bool withShipments, List<EntityChange> result)
    {
        var reliefs = (await Task.WhenAll(incidentIds.Select(id => grains.Grain<IReliefDemandGrain>(id).Get()))).OfType<IncidentRelief>().ToList();
        result.AddRange(reliefs.Select(r => new EntityChange { Kind = DeltaKinds.Relief, Id = r.IncidentId, Data = r }));
        if (!withShipments) return;
        var ids = reliefs.SelectMany(r => r.Shipments).Where(s => s.Status != ShipmentStatus.Cancelled).Select(s => s.Id).Distinct();
        var shipments = await Task.WhenAll(ids.Select(id => grains.Grain<IShipmentGrain>(id).Get()));
        result.AddRange(shipments.OfType<Shipment>().Where(s => s.Status != ShipmentStatus.Cancelled)
            .Select(s => new EntityChange { Kind = DeltaKinds.Shipment, Id = s.Id, Data = s }));
    }

    private static async Task AddTeams(IGrainFactory grains, IReadOnlyList<string> teamIds, Func<RescueTeam, bool> keep, List<EntityChange> result)
    {
        var teams = await Task.WhenAll(teamIds.Select(id => grains.Grain<IRescueTeamGrain>(id).Get()));
        result.AddRange(teams.OfType<RescueTeam>().Where(keep).Select(t => new EntityChange { Kind = DeltaKinds.Team, Id = t.Id, Data = t }));
    }
}
