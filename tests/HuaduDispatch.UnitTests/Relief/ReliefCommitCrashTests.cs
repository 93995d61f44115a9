using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Relief;
using Orleans.Core.Internal;

namespace HuaduDispatch.UnitTests.Relief;

[Collection(FaultClusterFixture.Collection)]
public sealed class ReliefCommitCrashTests(FaultClusterFixture fixture) : IClassFixture<FaultClusterFixture>
{
    private static readonly Actor Dispatcher = new() { Subject = "dispatcher-wang", Role = Roles.Dispatcher };
    private IGrainFactory Grains => fixture.Cluster.GrainFactory;

    [Fact]
    public async Task A_commit_cut_short_after_reserving_leaves_no_stock_held_once_the_coordinator_plans_again_from_its_stored_state()
    {
        // One depot beside the incident, with every item of the standard kit in stock and 2 trucks.
        var codes = ReliefStandard.Default.Lines.Select(l => l.ItemCode).Distinct().ToList();
        var set = ReferenceDataValidatorTests.Minimal() with
        {
            Items = [.. codes.Select(c => new ReliefItem { Code = c, NameZh = c, NameEn = c, Unit = "unit", WeightKg = 1, VolumeM3 = 0.001 })],
            Warehouses = [ReferenceDataValidatorTests.Minimal().Warehouses[0] with
            {
                Stock = [.. codes.Select(c => new StockLine { ItemCode = c, Quantity = 10_000 })],
            }],
        };
        Assert.True((await Grains.GetGrain<IReferenceDataGrain>(ReferenceData.GrainKey).Load(set, "crash-test")).Applied);
        await Grains.GetGrain<IReliefDemandGrain>("INC-CRASH").Update(new ReliefDemandUpdate
        {
            Type = IncidentType.Flood, Location = new GeoPoint { Lat = 23.401, Lon = 113.221 }, OccurredAt = DateTimeOffset.UtcNow,
            Affected = 20, Relocated = 0, Priority = 2, Open = true, AreaId = "xinhua",
        }, Dispatcher);
        var coordinator = Grains.GetGrain<IReliefCoordinatorGrain>(ReliefCoordinator.GrainKey);
        await ReliefFixtures.UntilTracked(coordinator, "INC-CRASH"); // Track is one-way: a plan asked for at once could come first
        var warehouse = Grains.GetGrain<IWarehouseGrain>("WH-1");

        // Plan 1 reserves the convoy's stock, then the convoy cannot be created.
        FaultClusterFixture.FailShipmentCreate = true;
        ReliefPlan? notCut = null;
        try
        {
            notCut = await coordinator.Replan();
        }
        catch (Exception e) when (e.ToString().Contains("injected", StringComparison.Ordinal))
        {
        }
        finally
        {
            FaultClusterFixture.FailShipmentCreate = false;
        }
        Assert.True(notCut is null, $"plan {notCut?.PlanId} for {notCut?.Demands} demand(s) committed {notCut?.Allocations.Count} allocation(s) without " +
            "creating a convoy; shortfalls: " + string.Join(", ", notCut?.Shortfalls.Select(s => $"{s.ItemCode} {s.Missing} {s.Reason} {s.Detail}") ?? []));
        var held = (await warehouse.Get())!.Stock.Sum(s => s.Reserved);
        Assert.True(held > 0, "the cut-short commit reserved stock before it stopped");
        Assert.Null(await Grains.GetGrain<IShipmentGrain>("SHP-1-INC-CRASH-WH-1").Get());

        // The coordinator comes back from its stored state (as after a crash) and plans again.
        await coordinator.AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        var plan = await coordinator.Replan();

        Assert.True(plan.PlanId > 1, $"plan ids are not reused: got {plan.PlanId}");
        Assert.NotEmpty(plan.Allocations);
        var reserved = (await warehouse.Get())!.Stock.ToDictionary(s => s.ItemCode, s => s.Reserved);
        var planned = plan.Allocations.GroupBy(a => a.ItemCode).ToDictionary(g => g.Key, g => g.Sum(a => a.Quantity));
        foreach (var code in codes)
            Assert.True(planned.GetValueOrDefault(code) == reserved.GetValueOrDefault(code),
                $"{code}: {reserved.GetValueOrDefault(code)} reserved, but the plan's convoys hold {planned.GetValueOrDefault(code)}");
    }
}
