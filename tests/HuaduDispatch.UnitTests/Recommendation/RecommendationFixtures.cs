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
            // Multiples of 0.25 from 0.25 to 4.5: exact in binary, so priority sums compare exactly (no quantisation question), half
            // whole numbers (ties in priority and in weight are likely), half not.
            var priority = rng.Next(2) == 0 ? rng.Next(1, 5) : rng.Next(1, 19) * 0.25;
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
    /// A district-sized random instance: <paramref name="incidents"/> incidents with priorities 1–6.5 in steps of 0.5 (the
    /// system's range) and 1–4 requirements of 1–2 teams over all capabilities, <paramref name="teamCount"/> teams with 1–3
    /// capabilities, 85 % available. With few teams per slot, capabilities are scarce and incidents compete.
    /// </summary>
    public static (IncidentNeed[] Needs, TeamCandidate[] Teams) DistrictInstance(Random rng, int incidents, int teamCount)
    {
        var caps = Enum.GetValues<Capability>();
        var types = Enum.GetValues<IncidentType>();
        GeoPoint RandomPoint() => P(23.25 + rng.NextDouble() * 0.37, 112.95 + rng.NextDouble() * 0.52);
        var needs = Enumerable.Range(0, incidents).Select(i => new IncidentNeed($"INC-{i:000}", types[rng.Next(types.Length)],
            RandomPoint(), rng.Next(2, 14) * 0.5, [.. caps.OrderBy(_ => rng.Next()).Take(rng.Next(1, 5))
                .Select(c => new ModuleRequirement { Capability = c, Count = rng.Next(1, 3) })])).ToArray();
        var teams = Enumerable.Range(0, teamCount).Select(t => new TeamCandidate($"TEAM-{t:000}",
            [.. caps.OrderBy(_ => rng.Next()).Take(rng.Next(1, 4))], RandomPoint(), rng.NextDouble() < 0.85)).ToArray();
        return (needs, teams);
    }

    /// <summary>
    /// Levels 1 and 2 of the objective by another road: the slots that can be filled together form a transversal matroid, so
    /// taking slots by descending priority and keeping each one an augmenting path can still match (Kuhn's algorithm) gives a
    /// largest set of fillable slots of the largest total priority. Returns (slots filled, their priority sum).
    /// </summary>
    public static (int Filled, double PrioritySum) MatroidGreedy(IReadOnlyList<IncidentNeed> needs, IReadOnlyList<TeamCandidate> teams,
        RecommenderOptions options)
    {
        var slots = needs.SelectMany(n => n.Requirements.SelectMany(r => Enumerable.Repeat((Need: n, r.Capability), r.Count)))
            .OrderByDescending(s => s.Need.Priority).ToArray();
        var adjacent = slots.Select(s => Enumerable.Range(0, teams.Count).Where(t => teams[t].Available
            && teams[t].Capabilities.Contains(s.Capability)
            && Travel.Eta(teams[t].Position, s.Need.Location, s.Need.Type) <= options.MaxEta).ToArray()).ToArray();
        var slotOfTeam = new int[teams.Count];
        Array.Fill(slotOfTeam, -1);

        bool Augment(int slot, bool[] seen)
        {
            foreach (var t in adjacent[slot])
            {
                if (seen[t]) continue;
                seen[t] = true;
                if (slotOfTeam[t] < 0 || Augment(slotOfTeam[t], seen)) { slotOfTeam[t] = slot; return true; }
            }
            return false;
        }

        var filled = 0;
        var sum = 0.0;
        for (var s = 0; s < slots.Length; s++)
            if (Augment(s, new bool[teams.Count])) { filled++; sum += slots[s].Need.Priority; }
        return (filled, sum);
    }

    /// <summary>
    /// Tries every assignment of every team to one of the requirement slots it may fill (or to none) and keeps the best:
    /// most filled slots, then the largest sum of the filled slots' incident priorities, then the least Σ priority × ETA minutes.
    /// Independent of the recommenders' code. Priority sums are compared exactly, so give it priorities that add up exactly
    /// in binary (multiples of 0.25, as <see cref="RandomInstance"/> does).
    /// </summary>
    public static (int Filled, double PrioritySum, double WeightedEta) BruteForce(IReadOnlyList<IncidentNeed> needs,
        IReadOnlyList<TeamCandidate> teams, RecommenderOptions options)
    {
        var reqs = needs.SelectMany(n => n.Requirements.Select(r => (Need: n, r.Capability, r.Count))).ToArray();
        var remaining = reqs.Select(r => r.Count).ToArray();
        var best = (Filled: 0, PrioritySum: 0.0, Weighted: 0.0);

        void Search(int t, int filled, double prioritySum, double weighted)
        {
            if (t == teams.Count)
            {
                if (IsBetter((filled, prioritySum, weighted), best)) best = (filled, prioritySum, weighted);
                return;
            }
            Search(t + 1, filled, prioritySum, weighted); // team t stays home
            var team = teams[t];
            if (!team.Available) return;
            for (var r = 0; r < reqs.Length; r++)
            {
                if (remaining[r] == 0 || !team.Capabilities.Contains(reqs[r].Capability)) continue;
                var eta = Travel.Eta(team.Position, reqs[r].Need.Location, reqs[r].Need.Type);
                if (eta > options.MaxEta) continue;
                remaining[r]--;
                Search(t + 1, filled + 1, prioritySum + reqs[r].Need.Priority, weighted + reqs[r].Need.Priority * eta.TotalMinutes);
                remaining[r]++;
            }
        }

        Search(0, 0, 0, 0);
        return best;
    }

    /// <summary>Lexicographic order of the objective: more filled slots, then more total priority, then less weighted ETA.</summary>
    public static bool IsBetter((int Filled, double PrioritySum, double WeightedEta) a, (int Filled, double PrioritySum, double WeightedEta) b)
    {
        if (a.Filled != b.Filled) return a.Filled > b.Filled;
        if (a.PrioritySum != b.PrioritySum) return a.PrioritySum > b.PrioritySum;
        return a.WeightedEta < b.WeightedEta;
    }

    /// <summary>A result's value on the three levels of the objective: filled slots, Σ incident priority, Σ priority × ETA.</summary>
    public static (int Filled, double PrioritySum, double WeightedEta) Score(RecommendationResult result, IReadOnlyList<IncidentNeed> needs)
    {
        var priority = needs.ToDictionary(n => n.IncidentId, n => n.Priority);
        return (result.Picks.Count, result.Picks.Sum(p => priority[p.IncidentId]), result.TotalWeightedEtaMinutes);
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
