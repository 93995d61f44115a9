using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Relief;

namespace HuaduDispatch.UnitTests.Relief;

/// <summary>A re-plan gives the planner the plan in force: the loads of the convoys it replaces, and only those.</summary>
[Collection(FaultClusterFixture.Collection)]
public sealed class ReliefReplanInForceTests(FaultClusterFixture fixture) : IClassFixture<FaultClusterFixture>
{
    private IGrainFactory Grains => fixture.Cluster.GrainFactory;
    private static readonly Actor Dispatcher = new() { Subject = "dispatcher-wang", Role = Roles.Dispatcher };

    private static List<(string, string, string, long)> Lines(IEnumerable<(string Incident, string Warehouse, string Item, long Quantity)> lines) =>
        [.. lines.GroupBy(l => (l.Incident, l.Warehouse, l.Item)).Select(g => (g.Key.Incident, g.Key.Warehouse, g.Key.Item, g.Sum(l => l.Quantity)))
            .OrderBy(l => l.Incident, StringComparer.Ordinal).ThenBy(l => l.Warehouse, StringComparer.Ordinal).ThenBy(l => l.Item, StringComparer.Ordinal)];

    [Fact]
    public async Task A_re_plan_is_given_the_loads_of_the_planned_convoys_it_replaces_keeps_those_it_does_not_change_and_not_those_already_loading()
    {
        var (coordinator, warehouse) = await ReliefFixtures.OneDepotBesideAnIncident(Grains, "INC-IN-FORCE");
        var first = await coordinator.Replan();
        Assert.NotEmpty(first.Allocations);

        var second = await coordinator.Replan();
        var given = FaultClusterFixture.LastInForce ?? throw new Xunit.Sdk.XunitException("the planner was given no plan in force");
        Assert.Equal(Lines(first.Allocations.Select(a => (a.IncidentId, a.WarehouseId, a.ItemCode, a.Quantity))),
            Lines(given.Select(l => (l.DemandId, l.WarehouseId, l.ItemCode, l.Quantity))));
        // Nothing changed, so the new plan sends the same: its convoys are the plan in force's, kept with their ids and still
        // Planned, not cancelled and issued again under new ids.
        Assert.True(second.PlanId > first.PlanId);
        Assert.Equal(first.Allocations.Select(a => a.ShipmentId).Distinct().Order(), second.Allocations.Select(a => a.ShipmentId).Distinct().Order());
        foreach (var id in second.Allocations.Select(a => a.ShipmentId).Distinct())
            Assert.Equal(ShipmentStatus.Planned, (await Grains.GetGrain<IShipmentGrain>(id).Get())!.Status);
        Assert.Equal(first.Allocations.Sum(a => a.Quantity), (await warehouse.Get())!.Stock.Sum(s => s.Reserved));

        // A convoy that started loading keeps its stock and trucks: it is not replaced, so it is not part of the plan in force. A
        // second incident's demand gives the next re-plan something to plan (with nothing needed, the planner is not called).
        foreach (var id in second.Allocations.Select(a => a.ShipmentId).Distinct())
            await Grains.GetGrain<IShipmentGrain>(id).UpdateStatus(new ShipmentStatusRequest { Status = ShipmentStatus.Loading }, Dispatcher);
        await Grains.GetGrain<IReliefDemandGrain>("INC-IN-FORCE-2").Update(new ReliefDemandUpdate
        {
            Type = IncidentType.Flood, Location = ReliefFixtures.P(23.402, 113.222), OccurredAt = DateTimeOffset.UtcNow,
            Affected = 10, Relocated = 0, Priority = 2, Open = true, AreaId = "xinhua",
        }, Dispatcher);
        await ReliefFixtures.UntilTracked(coordinator, "INC-IN-FORCE-2");
        FaultClusterFixture.LastInForce = null;

        var third = await coordinator.Replan();
        Assert.Contains(third.Allocations, a => a.IncidentId == "INC-IN-FORCE-2");
        Assert.Empty(FaultClusterFixture.LastInForce ?? throw new Xunit.Sdk.XunitException("the planner was not called"));
    }
}
