using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Dispatch.Recommendation;
using static HuaduDispatch.UnitTests.Recommendation.RecommendationFixtures;

namespace HuaduDispatch.UnitTests.Recommendation;

public sealed class RecommenderTests
{
    private const Capability Medical = Capability.Medical;
    private const Capability Water = Capability.WaterRescue;
    private const Capability Fire = Capability.Firefighting;

    private static readonly RecommenderOptions RandomOptions = new() { MaxEta = TimeSpan.FromMinutes(60) };

    public static TheoryData<string> Recommenders => ["optimal", "greedy"];

    private static ITeamRecommender Make(string name, RecommenderOptions? options = null) =>
        name == "optimal" ? Optimal(options) : Greedy(options);

    private static double Minutes(GeoPoint from, IncidentNeed need) => Travel.Eta(from, need.Location, need.Type).TotalMinutes;

    // ---- exactness against exhaustive search -------------------------------------------------------------------------------

    [Fact]
    public void Optimal_filled_count_and_total_eta_equal_brute_force_on_300_small_random_instances()
    {
        var rng = new Random(20260101);
        var optimal = Optimal(RandomOptions);
        for (var i = 0; i < 300; i++)
        {
            var (needs, teams) = RandomInstance(rng);
            var expected = BruteForce(needs, teams, RandomOptions);
            var result = optimal.Recommend(needs, teams);

            AssertConsistent(result, needs, teams, RandomOptions);
            Assert.True(expected.Filled == result.Picks.Count, $"instance {i}: brute force fills {expected.Filled}, optimal {result.Picks.Count}");
            Assert.True(Math.Abs(expected.WeightedEta - result.TotalWeightedEtaMinutes) < 1e-6,
                $"instance {i}: brute force {expected.WeightedEta}, optimal {result.TotalWeightedEtaMinutes}");
        }
    }

    [Fact]
    public void Optimal_beats_or_ties_greedy_on_300_small_random_instances_and_strictly_beats_it_on_some()
    {
        var rng = new Random(20260101);
        var optimal = Optimal(RandomOptions);
        var greedy = Greedy(RandomOptions);
        var strictlyBetter = 0;
        for (var i = 0; i < 300; i++)
        {
            var (needs, teams) = RandomInstance(rng);
            var o = optimal.Recommend(needs, teams);
            var g = greedy.Recommend(needs, teams);
            AssertConsistent(g, needs, teams, RandomOptions);

            var better = o.Picks.Count > g.Picks.Count ||
                (o.Picks.Count == g.Picks.Count && o.TotalWeightedEtaMinutes <= g.TotalWeightedEtaMinutes + 1e-6);
            Assert.True(better, $"instance {i}: optimal {o.Picks.Count} / {o.TotalWeightedEtaMinutes}, greedy {g.Picks.Count} / {g.TotalWeightedEtaMinutes}");
            if (o.Picks.Count > g.Picks.Count || o.TotalWeightedEtaMinutes < g.TotalWeightedEtaMinutes - 1e-6) strictlyBetter++;
        }
        Assert.True(strictlyBetter > 0, "greedy matched the optimum on every random instance");
    }

    [Fact]
    public void Optimal_answer_does_not_depend_on_the_order_of_the_team_list()
    {
        var rng = new Random(99);
        var optimal = Optimal(RandomOptions);
        for (var i = 0; i < 100; i++)
        {
            var (needs, teams) = RandomInstance(rng);
            var forward = optimal.Recommend(needs, teams);
            var backward = optimal.Recommend(needs, [.. teams.Reverse()]);
            Assert.Equal(forward.Picks.Select(p => (p.IncidentId, p.Capability, p.TeamId)),
                backward.Picks.Select(p => (p.IncidentId, p.Capability, p.TeamId)));
        }
    }

    // ---- where greedy goes wrong ---------------------------------------------------------------------------------------------

    [Fact]
    public void Greedy_spends_a_multi_skill_team_on_the_urgent_incident_and_leaves_a_slot_that_optimal_fills()
    {
        var urgent = Need("INC-1", East(0), 4, (Medical, 1));
        var other = Need("INC-2", East(2), 1, (Water, 1));
        TeamCandidate[] teams = [Team("A", East(1), Medical, Water), Team("B", East(3), Medical)];

        var g = Greedy().Recommend([urgent, other], teams);
        Assert.Equal(["INC-1:Medical:A"], g.Picks.Select(p => $"{p.IncidentId}:{p.Capability}:{p.TeamId}"));
        var gap = Assert.Single(g.Unfilled);
        Assert.Equal(("INC-2", Water, 1, UnfilledReason.AllBusy), (gap.IncidentId, gap.Capability, gap.Missing, gap.Reason));

        var o = Optimal().Recommend([urgent, other], teams);
        Assert.Equal(["INC-1:Medical:B", "INC-2:WaterRescue:A"], o.Picks.Select(p => $"{p.IncidentId}:{p.Capability}:{p.TeamId}"));
        Assert.Empty(o.Unfilled);
        Assert.Equal(4 * Minutes(East(3), urgent) + Minutes(East(1), other), o.TotalWeightedEtaMinutes, 1e-9);
        Assert.Contains("nearer A", o.Picks[0].Reason);
        Assert.Contains("INC-2", o.Picks[0].Reason);
        Assert.Contains("multi-skill", o.Picks[1].Reason);
    }

    [Fact]
    public void Greedy_by_priority_costs_more_weighted_eta_than_optimal_when_both_fill_every_slot()
    {
        // Priority 2 at 0 km, priority 1 at 10 km; team P at 4 km, Q at -6 km. Greedy gives P to the first and sends Q 16 km.
        var first = Need("INC-1", East(0), 2, (Medical, 1));
        var second = Need("INC-2", East(10), 1, (Medical, 1));
        TeamCandidate[] teams = [Team("P", East(4), Medical), Team("Q", East(-6), Medical)];

        var g = Greedy().Recommend([first, second], teams);
        var o = Optimal().Recommend([first, second], teams);

        Assert.Equal(2, g.Picks.Count);
        Assert.Equal(2, o.Picks.Count);
        Assert.Equal(2 * Minutes(East(4), first) + Minutes(East(-6), second), g.TotalWeightedEtaMinutes, 1e-9);
        Assert.Equal(2 * Minutes(East(-6), first) + Minutes(East(4), second), o.TotalWeightedEtaMinutes, 1e-9);
        Assert.True(o.TotalWeightedEtaMinutes < g.TotalWeightedEtaMinutes - 10);
        Assert.Equal("Q", o.Picks.Single(p => p.IncidentId == "INC-1").TeamId);
    }

    [Fact]
    public void Optimal_sends_a_contested_team_where_priority_times_eta_is_smaller_even_to_the_less_urgent_incident()
    {
        // The objective as specified: slots filled first, then Σ priority × ETA. With one team for two equally distant
        // incidents both orders fill one slot, and 1 × ETA < 4 × ETA, so the less urgent incident gets it. Greedy serves the
        // urgent one. If dispatchers want urgency to decide shortages, the objective needs a priority-weighted fill level.
        var urgent = Need("URGENT", East(5), 4, (Medical, 1));
        var minor = Need("MINOR", East(-5), 1, (Medical, 1));
        TeamCandidate[] teams = [Team("M", East(0), Medical)];

        Assert.Equal("MINOR", Assert.Single(Optimal().Recommend([urgent, minor], teams).Picks).IncidentId);
        Assert.Equal("URGENT", Assert.Single(Greedy().Recommend([urgent, minor], teams).Picks).IncidentId);
    }

    // ---- unfilled reasons ----------------------------------------------------------------------------------------------------

    [Theory, MemberData(nameof(Recommenders))]
    public void Capability_no_team_has_is_unfilled_as_NoTeamWithCapability_with_the_missing_count(string recommender)
    {
        var need = Need("INC-1", East(0), 2, (Capability.Aviation, 2), (Medical, 1));
        var result = Make(recommender).Recommend([need], [Team("M", East(1), Medical), Busy("W", East(1), Water)]);

        var gap = Assert.Single(result.Unfilled);
        Assert.Equal(("INC-1", Capability.Aviation, 2, UnfilledReason.NoTeamWithCapability),
            (gap.IncidentId, gap.Capability, gap.Missing, gap.Reason));
        Assert.Contains("Aviation", gap.Detail);
        Assert.Equal("M", Assert.Single(result.Picks).TeamId);
    }

    [Theory, MemberData(nameof(Recommenders))]
    public void Capability_whose_teams_are_unavailable_or_already_used_is_unfilled_as_AllBusy(string recommender)
    {
        // Three medical slots; M1 is off duty, MW is the only water rescue team, M2 is the one left for medical.
        var medical = Need("INC-A", East(0), 1, (Medical, 3));
        var water = Need("INC-B", East(0.5), 1, (Water, 1));
        TeamCandidate[] teams = [Busy("M1", East(0.2), Medical), Team("M2", East(1), Medical), Team("MW", East(0.8), Medical, Water)];

        var result = Make(recommender, new RecommenderOptions()).Recommend([water, medical], teams);

        var gap = Assert.Single(result.Unfilled);
        Assert.Equal(("INC-A", Medical, 2, UnfilledReason.AllBusy), (gap.IncidentId, gap.Capability, gap.Missing, gap.Reason));
        Assert.Contains("1 unavailable", gap.Detail);
        Assert.Equal(["INC-B:MW", "INC-A:M2"], result.Picks.Select(p => $"{p.IncidentId}:{p.TeamId}"));
    }

    [Theory, MemberData(nameof(Recommenders))]
    public void Capability_whose_free_teams_are_all_beyond_max_eta_is_unfilled_as_TooFar(string recommender)
    {
        var need = Need("INC-1", East(0), 3, (Medical, 3));
        // 80 km at 40 km/h with road factor 1.35: 2 + 162 min, beyond the 90 min limit.
        TeamCandidate[] teams = [Team("NEAR", East(1), Medical), Team("FAR", East(80), Medical), Busy("OFF", East(0.5), Medical)];

        var result = Make(recommender).Recommend([need], teams);

        Assert.Equal("NEAR", Assert.Single(result.Picks).TeamId);
        var gap = Assert.Single(result.Unfilled);
        Assert.Equal(("INC-1", Medical, 2, UnfilledReason.TooFar), (gap.IncidentId, gap.Capability, gap.Missing, gap.Reason));
        Assert.Contains("FAR", gap.Detail);
        Assert.Contains("limit 90 min", gap.Detail);
    }

    // ---- invariants on hand-made cases ---------------------------------------------------------------------------------------

    [Theory, MemberData(nameof(Recommenders))]
    public void A_team_with_several_needed_capabilities_fills_only_one_slot(string recommender)
    {
        var need = Need("INC-1", East(0), 1, (Medical, 1), (Water, 1), (Fire, 1));
        var result = Make(recommender).Recommend([need], [Team("ALL", East(1), Medical, Water, Fire)]);

        Assert.Single(result.Picks);
        Assert.Equal(2, result.Unfilled.Count);
        Assert.All(result.Unfilled, u => Assert.Equal((1, UnfilledReason.AllBusy), (u.Missing, u.Reason)));
    }

    [Theory, MemberData(nameof(Recommenders))]
    public void Unavailable_team_is_never_picked_even_when_nearest(string recommender)
    {
        var need = Need("INC-1", East(0), 1, (Medical, 1));
        var result = Make(recommender).Recommend([need], [Busy("OFF", East(0), Medical), Team("ON", East(5), Medical)]);
        Assert.Equal("ON", Assert.Single(result.Picks).TeamId);
        Assert.DoesNotContain(result.Rankings.Single().Ranked, r => r.TeamId == "OFF");
    }

    [Theory, MemberData(nameof(Recommenders))]
    public void Specialist_is_preferred_over_a_multi_skill_team_at_the_same_eta(string recommender)
    {
        var need = Need("INC-1", East(0), 1, (Medical, 1));
        TeamCandidate[] teams = [Team("A-MULTI", East(2), Medical, Water), Team("Z-SPEC", East(2), Medical)];
        var pick = Assert.Single(Make(recommender).Recommend([need], teams).Picks);
        Assert.Equal("Z-SPEC", pick.TeamId);
        Assert.StartsWith("Medical specialist, ETA ", pick.Reason);
    }

    [Fact]
    public void Pick_reports_eta_distance_and_a_readable_reason()
    {
        var need = new IncidentNeed("INC-1", IncidentType.Landslide, P(23.43, 113.40), 2,
            [new ModuleRequirement { Capability = Capability.GeologicalHazard, Count = 1 }]);
        var pick = Assert.Single(Optimal().Recommend([need], [Team("D03", P(23.40, 113.22), Capability.GeologicalHazard)]).Picks);

        Assert.Equal(18.667, pick.DistanceKm, 0.002);
        Assert.Equal(2 + 18.66736 * 1.35 / 40 * 60 * 1.3, pick.Eta.TotalMinutes, 0.001);
        Assert.Equal("GeologicalHazard specialist, ETA 51 min (18.7 km)", pick.Reason);
    }

    [Fact]
    public void Rankings_list_available_teams_nearest_first_then_specialists_then_id_up_to_count_plus_alternatives()
    {
        var need = Need("INC-1", East(0), 1, (Medical, 2));
        TeamCandidate[] teams =
        [
            Team("M-b", East(1), Medical), Team("M-multi", East(1), Medical, Water), Team("M-a", East(1), Medical),
            Team("M-near", East(0.5), Medical, Fire), Busy("M-off", East(0.1), Medical), Team("M-far", East(200), Medical),
            Team("W", East(0.1), Water),
        ];

        var short_ = Optimal(new RecommenderOptions { Alternatives = 1 }).Recommend([need], teams);
        var ranking = Assert.Single(short_.Rankings);
        Assert.Equal(("INC-1", Medical), (ranking.IncidentId, ranking.Capability));
        Assert.Equal(["M-near", "M-a", "M-b"], ranking.Ranked.Select(r => r.TeamId));
        Assert.Equal([2, 1, 1], ranking.Ranked.Select(r => r.Capabilities));

        var all = Optimal(new RecommenderOptions { Alternatives = 10 }).Recommend([need], teams).Rankings.Single().Ranked;
        Assert.Equal(["M-near", "M-a", "M-b", "M-multi", "M-far"], all.Select(r => r.TeamId));
        Assert.True(all.Zip(all.Skip(1)).All(p => p.First.Eta <= p.Second.Eta));
    }

    [Theory, MemberData(nameof(Recommenders))]
    public void Repeated_requirements_of_one_capability_are_merged_into_one_module(string recommender)
    {
        var need = Need("INC-1", East(0), 1, (Medical, 1), (Water, 0), (Medical, 2));
        var result = Make(recommender).Recommend([need], [Team("M1", East(1), Medical), Team("M2", East(2), Medical)]);

        Assert.Equal(["M1", "M2"], result.Picks.Select(p => p.TeamId));
        var gap = Assert.Single(result.Unfilled);
        Assert.Equal((Medical, 1), (gap.Capability, gap.Missing));
        Assert.Equal(Medical, Assert.Single(result.Rankings).Capability);
    }

    [Fact]
    public void Shipped_teams_cover_a_landslide_a_building_fire_and_waterlogging_except_one_search_and_rescue_slot()
    {
        var set = HuaduDispatch.Grains.Reference.ReferenceDataFile
            .Load(Path.Combine(AppContext.BaseDirectory, "ReferenceData", "huadu-reference.json")).Set;
        var teams = set.Teams.Select(t => new TeamCandidate(t.Id, t.Capabilities, t.HomeBase, Available: true)).ToList();
        IncidentNeed[] needs =
        [
            new("LANDSLIDE-HUASHAN", IncidentType.Landslide, P(23.45, 113.31), 4,
                [new() { Capability = Capability.GeologicalHazard, Count = 1 }, new() { Capability = Capability.UrbanSearchRescue, Count = 1 }]),
            new("FIRE-XINHUA", IncidentType.BuildingFire, P(23.40, 113.22), 3,
                [new() { Capability = Fire, Count = 2 }, new() { Capability = Capability.UrbanSearchRescue, Count = 1 }]),
            new("WATERLOGGING-XIUQUAN", IncidentType.Waterlogging, P(23.38, 113.24), 2, [new() { Capability = Water, Count = 2 }]),
        ];
        var options = new RecommenderOptions();

        var o = Optimal(options).Recommend(needs, teams);
        var g = Greedy(options).Recommend(needs, teams);

        AssertConsistent(o, needs, teams, options);
        AssertConsistent(g, needs, teams, options);
        // D03 is the only geological hazard team; F01 and D03 are the only search and rescue teams.
        Assert.Contains(o.Picks, p => p is { IncidentId: "LANDSLIDE-HUASHAN", Capability: Capability.GeologicalHazard, TeamId: "D03" });
        var gap = Assert.Single(o.Unfilled);
        Assert.Equal((Capability.UrbanSearchRescue, 1, UnfilledReason.AllBusy), (gap.Capability, gap.Missing, gap.Reason));
        Assert.Equal(6, o.Picks.Count);
        Assert.True(o.TotalWeightedEtaMinutes <= g.TotalWeightedEtaMinutes + 1e-9 || o.Picks.Count > g.Picks.Count);
    }

    // ---- empty and invalid input ---------------------------------------------------------------------------------------------

    [Theory, MemberData(nameof(Recommenders))]
    public void Empty_inputs_give_an_empty_result(string recommender)
    {
        var r = Make(recommender);
        var empty = r.Recommend([], []);
        Assert.Empty(empty.Picks);
        Assert.Empty(empty.Unfilled);
        Assert.Empty(empty.Rankings);
        Assert.Equal(0, empty.TotalWeightedEtaMinutes);

        Assert.Empty(r.Recommend([], [Team("M", East(0), Medical)]).Picks);

        var noTeams = r.Recommend([Need("INC-1", East(0), 1, (Medical, 2))], []);
        Assert.Empty(noTeams.Picks);
        Assert.Equal((2, UnfilledReason.NoTeamWithCapability), (noTeams.Unfilled.Single().Missing, noTeams.Unfilled.Single().Reason));
        Assert.Empty(noTeams.Rankings.Single().Ranked);
    }

    [Theory, MemberData(nameof(Recommenders))]
    public void Negative_counts_non_positive_priorities_and_duplicate_ids_are_rejected(string recommender)
    {
        var r = Make(recommender);
        TeamCandidate[] teams = [Team("M", East(0), Medical)];
        Assert.Throws<ArgumentException>(() => r.Recommend([Need("INC-1", East(0), 1, (Medical, -1))], teams));
        Assert.Throws<ArgumentException>(() => r.Recommend([Need("INC-1", East(0), 0, (Medical, 1))], teams));
        Assert.Throws<ArgumentException>(() => r.Recommend([Need("INC-1", East(0), -2, (Medical, 1))], teams));
        Assert.Throws<ArgumentException>(() => r.Recommend([Need("INC-1", East(0), double.NaN, (Medical, 1))], teams));
        Assert.Throws<ArgumentException>(() => r.Recommend([Need("INC-1", East(0), 1), Need("INC-1", East(1), 1)], teams));
        Assert.Throws<ArgumentException>(() => r.Recommend([], [Team("M", East(0), Medical), Team("M", East(1), Water)]));
        Assert.Throws<ArgumentException>(() => r.Recommend([Need("INC-1", P(123, 0), 1, (Medical, 1))], teams));
        Assert.Throws<ArgumentNullException>(() => r.Recommend(null!, teams));
    }

    [Fact]
    public void Negative_alternatives_or_max_eta_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => Optimal(new RecommenderOptions { Alternatives = -1 }));
        Assert.Throws<ArgumentException>(() => Greedy(new RecommenderOptions { MaxEta = TimeSpan.FromMinutes(-1) }));
    }
}
