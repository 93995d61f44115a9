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
    public void Optimal_filled_count_priority_sum_and_total_eta_equal_brute_force_on_300_small_random_instances()
    {
        var rng = new Random(20260101);
        var optimal = Optimal(RandomOptions);
        for (var i = 0; i < 300; i++)
        {
            var (needs, teams) = RandomInstance(rng);
            var expected = BruteForce(needs, teams, RandomOptions);
            var result = optimal.Recommend(needs, teams);
            var actual = Score(result, needs);

            AssertConsistent(result, needs, teams, RandomOptions);
            Assert.True(expected.Filled == actual.Filled, $"instance {i}: brute force fills {expected.Filled}, optimal {actual.Filled}");
            Assert.True(Math.Abs(expected.PrioritySum - actual.PrioritySum) < 1e-6,
                $"instance {i}: brute force priority sum {expected.PrioritySum}, optimal {actual.PrioritySum}");
            Assert.True(Math.Abs(expected.WeightedEta - actual.WeightedEta) < 1e-6,
                $"instance {i}: brute force {expected.WeightedEta}, optimal {actual.WeightedEta}");
        }
    }

    [Fact]
    public void Optimal_filled_count_and_priority_sum_equal_the_matroid_greedy_on_district_sized_instances()
    {
        // Up to 50 incidents × 400 teams, where the priority level's big multiplier is largest: levels 1 and 2 must stay exact.
        var rng = new Random(7);
        var optimal = Optimal();
        foreach (var (incidents, teamCount) in new[] { (10, 30), (20, 60), (30, 120), (50, 150), (50, 400), (50, 90) })
            for (var i = 0; i < 4; i++)
            {
                var (needs, teams) = DistrictInstance(rng, incidents, teamCount);
                var expected = MatroidGreedy(needs, teams, new RecommenderOptions());
                var result = optimal.Recommend(needs, teams);
                AssertConsistent(result, needs, teams, new RecommenderOptions());
                var actual = Score(result, needs);
                Assert.True((expected.Filled, expected.PrioritySum) == (actual.Filled, actual.PrioritySum),
                    $"{incidents} × {teamCount} #{i}: matroid greedy {expected}, optimal {actual}");
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
            var g = greedy.Recommend(needs, teams);
            AssertConsistent(g, needs, teams, RandomOptions);
            var o = Score(optimal.Recommend(needs, teams), needs);
            var gs = Score(g, needs);

            // Lexicographic on (filled, priority sum, weighted ETA), the weighted ETA with a rounding tolerance.
            var tied = o.Filled == gs.Filled && o.PrioritySum == gs.PrioritySum && Math.Abs(o.WeightedEta - gs.WeightedEta) <= 1e-6;
            Assert.True(tied || IsBetter(o, gs), $"instance {i}: optimal {o}, greedy {gs}");
            if (!tied) strictlyBetter++;
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
    public void Optimal_gives_a_contested_team_to_the_more_urgent_incident_even_when_it_is_farther()
    {
        // One medical team, two incidents: the urgent one 8 km away, the minor one 2 km away. Either choice fills one slot; the
        // total priority of the filled slots decides before any ETA, so the urgent incident gets the team although
        // 1 × ETA(minor) is far below 4 × ETA(urgent).
        var urgent = Need("URGENT", East(8), 4, (Medical, 1));
        var minor = Need("MINOR", East(-2), 1, (Medical, 1));
        TeamCandidate[] teams = [Team("M", East(0), Medical)];

        var o = Optimal().Recommend([minor, urgent], teams);

        AssertConsistent(o, [minor, urgent], teams, new RecommenderOptions());
        var pick = Assert.Single(o.Picks);
        Assert.Equal(("URGENT", "M"), (pick.IncidentId, pick.TeamId));
        Assert.Equal(4 * Minutes(East(0), urgent), o.TotalWeightedEtaMinutes, 1e-9);
        Assert.True(4 * Minutes(East(0), urgent) > Minutes(East(0), minor) + 30);
        var gap = Assert.Single(o.Unfilled);
        Assert.Equal(("MINOR", Medical, 1, UnfilledReason.AllBusy), (gap.IncidentId, gap.Capability, gap.Missing, gap.Reason));
        Assert.Equal("URGENT", Assert.Single(Greedy().Recommend([minor, urgent], teams).Picks).IncidentId);
    }

    [Fact]
    public void Optimal_fills_more_slots_before_it_weighs_priority()
    {
        // MW can serve the urgent medical slot or the water slot, M (40 km away) only medical: filling both beats sending the
        // nearer MW to the urgent incident and leaving the water slot empty.
        var urgent = Need("URGENT", East(0), 4, (Medical, 1));
        var water = Need("WATER", East(30), 1, (Water, 1));
        TeamCandidate[] teams = [Team("MW", East(1), Medical, Water), Team("M", East(-40), Medical)];

        var o = Optimal().Recommend([urgent, water], teams);

        Assert.Equal(["URGENT:M", "WATER:MW"], o.Picks.Select(p => $"{p.IncidentId}:{p.TeamId}"));
        Assert.Empty(o.Unfilled);
    }

    [Fact]
    public void Optimal_serves_more_total_priority_among_assignments_filling_equally_many_slots()
    {
        // C (2.5) needs medical, B (2) water, A (0.25) medical. Y (medical and water) is next to C, X (medical) next to A.
        // Y→C, X→A (what greedy does, and the cheapest Σ priority × ETA) fills 2 slots worth 2.75; X→C, Y→B fills 2 worth 4.5.
        var c = Need("C", East(0), 2.5, (Medical, 1));
        var b = Need("B", East(25), 2, (Water, 1));
        var a = Need("A", East(10), 0.25, (Medical, 1));
        TeamCandidate[] teams = [Team("X", East(10), Medical), Team("Y", East(0.5), Medical, Water)];
        IncidentNeed[] needs = [c, b, a];

        var o = Optimal().Recommend(needs, teams);
        var g = Greedy().Recommend(needs, teams);

        Assert.Equal(["C:X", "B:Y"], o.Picks.Select(p => $"{p.IncidentId}:{p.TeamId}"));
        Assert.Equal((2, 4.5), (Score(o, needs).Filled, Score(o, needs).PrioritySum));
        Assert.Equal(("A", UnfilledReason.AllBusy), (Assert.Single(o.Unfilled).IncidentId, o.Unfilled[0].Reason));
        Assert.Equal(["C:Y", "A:X"], g.Picks.Select(p => $"{p.IncidentId}:{p.TeamId}"));
        Assert.True(g.TotalWeightedEtaMinutes < o.TotalWeightedEtaMinutes, "the ETA level alone would have chosen greedy's answer");
    }

    [Fact]
    public void One_hundredth_more_total_priority_outweighs_sending_three_teams_twenty_km_each()
    {
        // A chain: T0 (medical, water) sits at A, T1 (water, fire) at B, T2 (fire, geological) at C. Serving U (medical, 20 km
        // west of A) needs the whole chain to shift one incident west and C to go without: Σ priority 1.01 + 1.02 + 1.01 = 3.04
        // against 1.02 + 1.01 + 1.00 = 3.03 with every team at home. One unit of the priority level (1/100) must beat three
        // 20 km drives (about 120 priority-minutes, more than any single arc), so the multiplier must cover all picks, not one.
        var u = Need("U", East(-20), 1.01, (Medical, 1));
        var a = Need("A", East(0), 1.02, (Water, 1));
        var b = Need("B", East(20), 1.01, (Fire, 1));
        var c = Need("C", East(40), 1.00, (Capability.GeologicalHazard, 1));
        TeamCandidate[] teams =
        [
            Team("T0", East(0), Medical, Water), Team("T1", East(20), Water, Fire),
            Team("T2", East(40), Fire, Capability.GeologicalHazard),
        ];

        var o = Optimal().Recommend([u, a, b, c], teams);

        Assert.Equal(["U:T0", "A:T1", "B:T2"], o.Picks.Select(p => $"{p.IncidentId}:{p.TeamId}"));
        Assert.Equal(("C", UnfilledReason.AllBusy), (Assert.Single(o.Unfilled).IncidentId, o.Unfilled[0].Reason));
        var atHome = 1.02 * Minutes(East(0), a) + 1.01 * Minutes(East(20), b) + 1.00 * Minutes(East(40), c);
        Assert.True(o.TotalWeightedEtaMinutes - atHome > 1.02 * Minutes(East(40), a), "the shift costs more than the longest arc");
    }

    [Fact]
    public void Priorities_closer_than_the_level_two_unit_leave_a_contested_team_to_the_weighted_eta()
    {
        // 1.001 and 1.004 are both 1.00 in units of 1/100: level 2 ties, and 1.004 × ETA(far) > 1.001 × ETA(near) decides.
        Assert.Equal(100, OptimalRecommender.PriorityResolution);
        var near = Need("NEAR", East(-2), 1.001, (Medical, 1));
        var far = Need("FAR", East(8), 1.004, (Medical, 1));
        var o = Optimal().Recommend([far, near], [Team("M", East(0), Medical)]);
        Assert.Equal("NEAR", Assert.Single(o.Picks).IncidentId);

        // 1.01 is a unit above 1.00: level 2 decides.
        var farter = Need("FAR", East(8), 1.01, (Medical, 1));
        Assert.Equal("FAR", Assert.Single(Optimal().Recommend([farter, near], [Team("M", East(0), Medical)]).Picks).IncidentId);
    }

    [Fact]
    public void Optimal_refuses_priorities_too_far_apart_to_rank_exactly_in_64_bit_costs()
    {
        var huge = Need("HUGE", East(1), 1e15, (Medical, 1));
        var small = Need("SMALL", East(-1), 1, (Medical, 1));
        TeamCandidate[] teams = [Team("M1", East(0), Medical), Team("M2", East(0.5), Medical)];
        var e = Assert.Throws<InvalidOperationException>(() => Optimal().Recommend([huge, small], teams));
        Assert.Contains("spread", e.Message);
        // Equal priorities, however large, have no spread to rank.
        Assert.Equal(2, Optimal().Recommend([huge, small with { Priority = 1e15 }], teams).Picks.Count);
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
        // Each holder accounted for: M1 off duty, M2 in this module's other slot, MW proposed for INC-B (not "already assigned").
        Assert.Contains("all 3 team(s) with it are busy: 1 not available, 1 proposed for this module's other slots, " +
            "1 proposed for other incidents in this joint recommendation (MW for INC-B)", gap.Detail);
        Assert.Equal(["INC-B:MW", "INC-A:M2"], result.Picks.Select(p => $"{p.IncidentId}:{p.TeamId}"));
    }

    [Theory, MemberData(nameof(Recommenders))]
    public void A_team_proposed_for_another_module_of_the_same_incident_is_not_said_to_be_for_another_incident(string recommender)
    {
        // One incident needs water rescue and two medical slots; MW (medical and water) is the only water team, so it takes
        // the water slot and one medical slot stays open. It said "proposed for other incidents (MW for INC-A)", INC-A itself.
        var need = Need("INC-A", East(0), 1, (Water, 1), (Medical, 2));
        TeamCandidate[] teams = [Team("M2", East(1), Medical), Team("MW", East(0.8), Medical, Water)];

        var gap = Assert.Single(Make(recommender, new RecommenderOptions()).Recommend([need], teams).Unfilled);
        Assert.Equal(("INC-A", Medical, UnfilledReason.AllBusy), (gap.IncidentId, gap.Capability, gap.Reason));
        Assert.Contains("1 proposed for this incident's other modules (MW for WaterRescue)", gap.Detail);
        Assert.DoesNotContain("other incidents", gap.Detail);
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
        // D03 is the only geological hazard team; F01 and D03 are the only search and rescue teams. D03 goes to the landslide's
        // geological slot, so only F01 is left for the two search and rescue slots: the landslide (priority 4) gets it although
        // F01 is based next to the fire (priority 3), whose search and rescue slot stays empty.
        Assert.Contains(o.Picks, p => p is { IncidentId: "LANDSLIDE-HUASHAN", Capability: Capability.GeologicalHazard, TeamId: "D03" });
        Assert.Contains(o.Picks, p => p is { IncidentId: "LANDSLIDE-HUASHAN", Capability: Capability.UrbanSearchRescue, TeamId: "F01" });
        var gap = Assert.Single(o.Unfilled);
        Assert.Equal(("FIRE-XINHUA", Capability.UrbanSearchRescue, 1, UnfilledReason.AllBusy),
            (gap.IncidentId, gap.Capability, gap.Missing, gap.Reason));
        Assert.Equal(6, o.Picks.Count);
        var (os, gs) = (Score(o, needs), Score(g, needs));
        Assert.True(IsBetter(os, gs) || (os.Filled, os.PrioritySum) == (gs.Filled, gs.PrioritySum) && os.WeightedEta <= gs.WeightedEta + 1e-9,
            $"optimal {os}, greedy {gs}");
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
