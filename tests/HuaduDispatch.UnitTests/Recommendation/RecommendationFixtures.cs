using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Dispatch.Recommendation;

namespace HuaduDispatch.UnitTests.Recommendation;

/// <summary>Small builders for recommendation instances around Huadu's centre, and the exhaustive reference solver.</summary>
internal static class RecommendationFixtures
{
    public const double CentreLat = 23.40, CentreLon = 113.22;
    private static readonly double KmPerDegreeLon = TravelTimeModel.DistanceKm(P(CentreLat, 0), P(CentreLat, 1));

    public static GeoPoint P(double lat, double lon) => new() { Lat = lat, Lon = lon };

    /// <summary>A point <paramref name="km"/> east of the centre (negative: west).</summary>
    public static GeoPoint East(double km) => P(CentreLat, CentreLon + km / KmPerDegreeLon);

    public static TeamCandidate Team(string id, GeoPoint at, params Capability[] caps) => new(id, caps, at, Available: true);

    public static TeamCandidate Busy(string id, GeoPoint at, params Capability[] caps) => new(id, caps, at, Available: false);

    public static IncidentNeed Need(string id, GeoPoint at, double priority, params (Capability Capability, int Count)[] reqs) =>
        new(id, IncidentType.Other, at, priority,
            [.. reqs.Select(r => new ModuleRequirement { Capability = r.Capability, Count = r.Count })]);

    public static TravelTimeModel Travel { get; } = new(new TravelTimeOptions());

    public static OptimalRecommender Optimal(RecommenderOptions? options = null) => new(Travel, options ?? new RecommenderOptions());

    public static GreedyRecommender Greedy(RecommenderOptions? options = null) => new(Travel, options ?? new RecommenderOptions());

    /// <summary>A random instance: ≤ 3 incidents, ≤ 6 teams, ≤ 4 slots, over a few capabilities so teams compete.</summary>
    public static (IncidentNeed[] Needs, TeamCandidate[] Teams) RandomInstance(Random rng)
    {
        Capability[] pool = [Capability.Medical, Capability.WaterRescue, Capability.Firefighting, Capability.GeologicalHazard];
        var types = Enum.GetValues<IncidentType>();
        GeoPoint RandomPoint() => P(23.25 + rng.NextDouble() * 0.37, 112.95 + rng.NextDouble() * 0.52);

        var slotsLeft = rng.Next(1, 5);
        var needs = new List<IncidentNeed>();
        var incidents = rng.Next(1, 4);
        for (var i = 0; i < incidents && slotsLeft > 0; i++)
        {
            var reqs = new List<ModuleRequirement>();
            foreach (var cap in pool.OrderBy(_ => rng.Next()).Take(rng.Next(1, 3)))
            {
                if (slotsLeft == 0) break;
                var count = rng.Next(1, Math.Min(2, slotsLeft) + 1);
                slotsLeft -= count;
                reqs.Add(new ModuleRequirement { Capability = cap, Count = count });
            }
            // Half the priorities are whole numbers (ties in weight are likely), half are arbitrary.
            var priority = rng.Next(2) == 0 ? rng.Next(1, 5) : 0.25 + rng.NextDouble() * 4;
            needs.Add(new IncidentNeed($"INC-{i}", types[rng.Next(types.Length)], RandomPoint(), priority, reqs));
        }

        var teams = new List<TeamCandidate>();
        var teamCount = rng.Next(1, 7);
        for (var t = 0; t < teamCount; t++)
        {
            var caps = pool.OrderBy(_ => rng.Next()).Take(rng.Next(1, 4)).ToArray();
            // Some teams share a base so that equal ETAs occur.
            var at = t > 0 && rng.Next(5) == 0 ? teams[rng.Next(t)].Position : RandomPoint();
            teams.Add(new TeamCandidate($"T{t}", caps, at, Available: rng.NextDouble() < 0.8));
        }
        return ([.. needs], [.. teams]);
    }

    /// <summary>
    /// Tries every assignment of every team to one of the requirement slots it may fill (or to none) and keeps the best:
    /// most filled slots, then least Σ priority × ETA minutes. Independent of the recommenders' code.
    /// </summary>
    public static (int Filled, double WeightedEta) BruteForce(IReadOnlyList<IncidentNeed> needs, IReadOnlyList<TeamCandidate> teams,
        RecommenderOptions options)
    {
        var reqs = needs.SelectMany(n => n.Requirements.Select(r => (Need: n, r.Capability, r.Count))).ToArray();
        var remaining = reqs.Select(r => r.Count).ToArray();
        var best = (Filled: 0, Weighted: 0.0);

        void Search(int t, int filled, double weighted)
        {
            if (t == teams.Count)
            {
                if (filled > best.Filled || (filled == best.Filled && weighted < best.Weighted)) best = (filled, weighted);
                return;
            }
            Search(t + 1, filled, weighted); // team t stays home
            var team = teams[t];
            if (!team.Available) return;
            for (var r = 0; r < reqs.Length; r++)
            {
                if (remaining[r] == 0 || !team.Capabilities.Contains(reqs[r].Capability)) continue;
                var eta = Travel.Eta(team.Position, reqs[r].Need.Location, reqs[r].Need.Type);
                if (eta > options.MaxEta) continue;
                remaining[r]--;
                Search(t + 1, filled + 1, weighted + reqs[r].Need.Priority * eta.TotalMinutes);
                remaining[r]++;
            }
        }

        Search(0, 0, 0);
        return best;
    }

    /// <summary>Checks the invariants every result must hold, whatever the algorithm.</summary>
    public static void AssertConsistent(RecommendationResult result, IReadOnlyList<IncidentNeed> needs,
        IReadOnlyList<TeamCandidate> teams, RecommenderOptions options)
    {
        Assert.Equal(result.Picks.Count, result.Picks.Select(p => p.TeamId).Distinct().Count());
        var byId = teams.ToDictionary(t => t.TeamId);
        var needById = needs.ToDictionary(n => n.IncidentId);
        var total = 0.0;
        foreach (var pick in result.Picks)
        {
            var team = byId[pick.TeamId];
            var need = needById[pick.IncidentId];
            Assert.True(team.Available, $"{pick.TeamId} is unavailable but was picked");
            Assert.Contains(pick.Capability, team.Capabilities);
            Assert.Equal(Travel.Eta(team.Position, need.Location, need.Type), pick.Eta);
            Assert.True(pick.Eta <= options.MaxEta);
            Assert.False(string.IsNullOrWhiteSpace(pick.Reason));
            total += need.Priority * pick.Eta.TotalMinutes;
        }
        Assert.Equal(total, result.TotalWeightedEtaMinutes, 1e-9);

        // Picks + missing = required, for every (incident, capability).
        foreach (var need in needs)
            foreach (var cap in need.Requirements.Where(r => r.Count > 0).Select(r => r.Capability).Distinct())
            {
                var required = need.Requirements.Where(r => r.Capability == cap).Sum(r => r.Count);
                var picked = result.Picks.Count(p => p.IncidentId == need.IncidentId && p.Capability == cap);
                var missing = result.Unfilled.Where(u => u.IncidentId == need.IncidentId && u.Capability == cap).Sum(u => u.Missing);
                Assert.Equal(required, picked + missing);
            }

        // Each unfilled entry carries the reason its definition gives.
        var pickedTeams = result.Picks.Select(p => p.TeamId).ToHashSet();
        foreach (var u in result.Unfilled)
        {
            Assert.True(u.Missing > 0);
            var need = needById[u.IncidentId];
            var holders = teams.Where(t => t.Capabilities.Contains(u.Capability)).ToList();
            var free = holders.Where(t => t.Available && !pickedTeams.Contains(t.TeamId)).ToList();
            var expected = holders.Count == 0 ? UnfilledReason.NoTeamWithCapability
                : free.Count > 0 ? UnfilledReason.TooFar : UnfilledReason.AllBusy;
            Assert.Equal(expected, u.Reason);
            Assert.All(free, t => Assert.True(Travel.Eta(t.Position, need.Location, need.Type) > options.MaxEta));
            Assert.False(string.IsNullOrWhiteSpace(u.Detail));
        }
    }
}
