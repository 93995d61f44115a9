using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Dispatch.Recommendation;
using HuaduDispatch.Grains.Dispatch.Rules;
using Orleans.Concurrency;

namespace HuaduDispatch.Grains.Dispatch;

/// <summary>
/// Recommends teams for an incident by solving the needs of ALL open incidents jointly (each team goes to one incident at a
/// time), then answering the asked incident's part. Stateless: one or more activations per silo, no hot singleton.
/// </summary>
[StatelessWorker]
public sealed class RecommendationGrain(ITeamRecommender recommender, TimeProvider clock) : Grain, IRecommendationGrain
{
    private static readonly IncidentFilter[] OpenStatuses =
        [.. new[] { IncidentStatus.Reported, IncidentStatus.Verified, IncidentStatus.Responding, IncidentStatus.Contained }
            .Select(s => new IncidentFilter { Status = s })];

    public async Task<IncidentRecommendation> Recommend(string incidentId)
    {
        var incident = await GrainFactory.Grain<IIncidentGrain>(incidentId).Get()
            ?? throw DomainException.NotFound($"no incident has the id '{incidentId}'");
        var target = await GrainFactory.Grain<IIncidentGrain>(incidentId).GetNeed()
            ?? throw DomainException.Conflict($"the incident is {incident.Status}; it takes no more teams");

        var catalogue = GrainFactory.Grain<IReferenceDataGrain>(ReferenceData.GrainKey);
        var areas = await catalogue.GetAreas();
        var boards = await Task.WhenAll(areas.SelectMany(a => OpenStatuses.Select(f => GrainFactory.Grain<IAreaBoardGrain>(a.Id).Query(f))));
        var otherIds = boards.SelectMany(b => b).Select(s => s.Id).Where(id => id != incidentId).Distinct().ToList();
        var others = await Task.WhenAll(otherIds.Select(id => GrainFactory.Grain<IIncidentGrain>(id).GetNeed()));
        var needs = new List<IncidentNeedSnapshot> { target };
        needs.AddRange(others.OfType<IncidentNeedSnapshot>().Where(n => n.Open.Count > 0));

        var teamIds = await catalogue.GetTeamIds();
        var teams = (await Task.WhenAll(teamIds.Select(id => GrainFactory.Grain<IRescueTeamGrain>(id).Get()))).OfType<RescueTeam>().ToList();
        var candidates = teams.Select(t => new TeamCandidate(t.Id, t.Capabilities, new GeoPoint { Lat = t.Position.Lat, Lon = t.Position.Lon },
            TeamStatusRules.IsDispatchable(t.Status, t.IncidentId))).ToList();

        var result = recommender.Recommend(
            [.. needs.Select(n => new IncidentNeed(n.IncidentId, n.Type, n.Location, n.Priority, n.Open))], candidates);

        var now = clock.GetUtcNow();
        RecommendedTeam ToDto(string teamId, TimeSpan eta, double km, string reason) => new()
        {
            TeamId = teamId, Eta = now + eta, EtaMinutes = Math.Round(eta.TotalMinutes, 1), DistanceKm = Math.Round(km, 2), Reason = reason,
        };
        var modules = target.Open.Select(m => new ModuleRecommendation
        {
            Capability = m.Capability,
            Needed = m.Count,
            Picks = [.. result.Picks.Where(p => p.IncidentId == incidentId && p.Capability == m.Capability)
                .Select(p => ToDto(p.TeamId, p.Eta, p.DistanceKm, p.Reason))],
            Candidates = [.. result.Rankings.Where(r => r.IncidentId == incidentId && r.Capability == m.Capability)
                .SelectMany(r => r.Ranked)
                .Select(c => ToDto(c.TeamId, c.Eta, c.DistanceKm, $"has {m.Capability}; {c.Capabilities} capabilit{(c.Capabilities == 1 ? "y" : "ies")}"))],
        }).ToList();
        return new IncidentRecommendation
        {
            IncidentId = incidentId,
            ResponseLevel = target.Level,
            ComputedAt = now,
            Modules = modules,
            Unfilled = [.. result.Unfilled.Where(u => u.IncidentId == incidentId).Select(u => new UnfilledModule
            {
                Capability = u.Capability, Missing = u.Missing, Reason = u.Reason.ToString(), Detail = u.Detail,
            })],
            SolvedJointlyWith = [.. needs.Skip(1).Select(n => n.IncidentId)],
        };
    }
}
