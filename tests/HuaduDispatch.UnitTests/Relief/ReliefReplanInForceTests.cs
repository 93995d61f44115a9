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
    [Fact]
    public async Task A_convoy_amended_for_a_changed_load_keeps_its_id_and_leaves_when_its_warehouse_is_ready_not_a_whole_mobilisation_later()
    {
        const string incident = "INC-MOBILISED";
        var (coordinator, depot) = await ReliefFixtures.OneDepotBesideAnIncident(Grains, incident);
        async Task<Shipment> ConvoyOf(ReliefPlan plan) =>
            (await Grains.GetGrain<IShipmentGrain>(plan.Allocations.Where(a => a.IncidentId == incident).Select(a => a.ShipmentId).Distinct().Single()).Get())!;
        var mobilisation = TimeSpan.FromMinutes(30); // WH-1's, in the minimal reference data
        var loading = new ReliefPlannerOptions().Loading;

        try
        {
            var first = await ConvoyOf(await coordinator.Replan());
            var since = first.MobilisedSince ?? throw new Xunit.Sdk.XunitException("the convoy does not say since when its warehouse is mobilising");
            Assert.True(since <= first.UpdatedAt);
            Assert.Equal(since + mobilisation + loading, first.Departure);

            // Time passes while the warehouse mobilises; then a new assessment (30 people instead of 20) changes the load, so the
            // convoy is amended: same id, more on it, its reservation changed to match. The warehouse has been getting ready
            // since the first order: the convoy still leaves when it is ready, not a whole mobilisation after the re-plan.
            await Task.Delay(TimeSpan.FromSeconds(1));
            await Grains.GetGrain<IReliefDemandGrain>(incident).Update(new ReliefDemandUpdate
            {
                Type = IncidentType.Flood, Location = ReliefFixtures.P(23.401, 113.221), OccurredAt = DateTimeOffset.UtcNow,
                Affected = 30, Relocated = 0, Priority = 2, Open = true, AreaId = "xinhua",
            }, Dispatcher);
            var replan = await coordinator.Replan();
            var second = await ConvoyOf(replan);

            Assert.Equal(first.Id, second.Id);
            Assert.Equal(ShipmentStatus.Planned, second.Status);
            Assert.Equal(replan.PlanId, second.PlanId);
            Assert.True(second.Lines.Sum(l => l.Quantity) > first.Lines.Sum(l => l.Quantity));
            Assert.Equal(replan.Allocations.Sum(a => a.Quantity), (await depot.Get())!.Stock.Sum(s => s.Reserved));
            Assert.True(replan.ComputedAt > since + TimeSpan.FromSeconds(1));
            Assert.Equal(since, second.MobilisedSince);
            Assert.Equal(first.Departure, second.Departure);
        }
        finally
        {
            // Closed, so that its convoy takes none of the depot's two trucks from the other tests of this cluster.
            await Grains.GetGrain<IReliefDemandGrain>(incident).Update(new ReliefDemandUpdate
            {
                Type = IncidentType.Flood, Location = ReliefFixtures.P(23.401, 113.221), OccurredAt = DateTimeOffset.UtcNow,
                Affected = 30, Relocated = 0, Priority = 2, Open = false, AreaId = "xinhua",
            }, Dispatcher);
            await coordinator.Replan();
        }
    }
}
