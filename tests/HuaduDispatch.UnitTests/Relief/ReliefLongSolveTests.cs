using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Relief;

namespace HuaduDispatch.UnitTests.Relief;

/// <summary>While a new relief plan is being solved, the previous plan's convoys stay Planned and their stock reserved.</summary>
[Collection(FaultClusterFixture.Collection)]
public sealed class ReliefLongSolveTests(FaultClusterFixture fixture) : IClassFixture<FaultClusterFixture>
{
    private IGrainFactory Grains => fixture.Cluster.GrainFactory;

    [Fact]
    public async Task The_previous_plan_stays_in_force_during_a_long_solve_and_is_replaced_only_once_the_new_one_is_solved()
    {
        var (coordinator, warehouse) = await ReliefFixtures.OneDepotBesideAnIncident(Grains, "INC-SLOW");
        async Task<long> Reserved() => (await warehouse.Get())!.Stock.Sum(s => s.Reserved);
        async Task<ShipmentStatus[]> Statuses(IEnumerable<string> ids) =>
            await Task.WhenAll(ids.Select(async id => (await Grains.GetGrain<IShipmentGrain>(id).Get())!.Status));

        var first = await coordinator.Replan();
        var firstConvoys = first.Allocations.Select(a => a.ShipmentId).Distinct().ToList();
        Assert.True(firstConvoys.Count > 0, $"plan {first.PlanId} for {first.Demands} demand(s) has no convoys; shortfalls: " +
            string.Join(", ", first.Shortfalls.Select(s => $"{s.IncidentId} {s.ItemCode} {s.Missing} {s.Reason} {s.Detail}")));
        var firstReserved = first.Allocations.Sum(a => a.Quantity);
        Assert.Equal(firstReserved, await Reserved());
        // A new assessment (30 people instead of 20) changes what the convoy must carry, so the new plan changes it (a convoy
        // the new plan leaves as it is would be kept: ReliefReplanInForceTests).
        await Grains.GetGrain<IReliefDemandGrain>("INC-SLOW").Update(new ReliefDemandUpdate
        {
            Type = IncidentType.Flood, Location = ReliefFixtures.P(23.401, 113.221), OccurredAt = DateTimeOffset.UtcNow,
            Affected = 30, Relocated = 0, Priority = 2, Open = true, AreaId = "xinhua",
        }, new Actor { Subject = "dispatcher-wang", Role = Roles.Dispatcher });

        // The new plan's solve is held until the checks are done (a timed sleep let a starved test thread look too late).
        var gate = new FaultClusterFixture.PlannerGate();
        FaultClusterFixture.HoldPlanner = gate;
        Task<ReliefPlan> second;
        try
        {
            second = coordinator.Replan();
            await gate.Entered.WaitAsync(TimeSpan.FromSeconds(10)); // the new plan is being solved
            Assert.False(second.IsCompleted, "the held solve is still running");
            Assert.All(await Statuses(firstConvoys), s => Assert.Equal(ShipmentStatus.Planned, s));
            Assert.Equal(firstReserved, await Reserved());
            foreach (var id in first.Allocations.Where(a => a.IncidentId == "INC-SLOW").Select(a => a.ShipmentId).Distinct())
                Assert.Equal(first.Allocations.Where(a => a.ShipmentId == id).Sum(a => a.Quantity),
                    (await Grains.GetGrain<IShipmentGrain>(id).Get())!.Lines.Sum(l => l.Quantity));
        }
        finally
        {
            FaultClusterFixture.HoldPlanner = null;
            gate.Release();
        }

        var plan = await second;
        Assert.True(plan.PlanId > first.PlanId);
        // Once solved, the new plan is committed: INC-SLOW's convoy now carries the kit for 30 (amended in place, same route),
        // and the warehouse holds exactly what the new plan sends.
        var slowBefore = first.Allocations.Where(a => a.IncidentId == "INC-SLOW").Sum(a => a.Quantity);
        var slowAfter = plan.Allocations.Where(a => a.IncidentId == "INC-SLOW").Sum(a => a.Quantity);
        Assert.True(slowAfter > slowBefore, $"INC-SLOW's convoys carry {slowAfter} units after the new assessment, {slowBefore} before");
        Assert.All(await Statuses(plan.Allocations.Select(a => a.ShipmentId).Distinct()), s => Assert.Equal(ShipmentStatus.Planned, s));
        Assert.Equal(plan.Allocations.Sum(a => a.Quantity), await Reserved());
    }
}
