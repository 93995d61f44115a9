using HuaduDispatch.Contracts;

namespace HuaduDispatch.UnitTests.Warehouses;

/// <summary>A warehouse change whose write fails is not applied later by another change: the activation starts again from its stored state.</summary>
[Collection(FaultClusterFixture.Collection)]
public sealed class WarehouseWriteFailureTests(FaultClusterFixture fixture) : IClassFixture<FaultClusterFixture>
{
    [Fact]
    public async Task A_movement_whose_write_failed_is_not_stored_by_the_next_change()
    {
        var grains = fixture.Cluster.GrainFactory;
        var wh = await WarehouseConcurrencyTests.OneWarehouse(grains, "WH-fail", water: 100);
        var actor = new Actor { Subject = "t", Role = Roles.Dispatcher };

        await FailingWrites.Refused("warehouse", () =>
            wh.RecordMovement(new StockMovementRequest { ItemCode = "drinking-water", Kind = StockMovementKind.Issue, Quantity = 10, Reason = "lost" }, actor));

        // The client was told the issue failed; a reservation now writes the warehouse again.
        Assert.True(await wh.Reserve("after-failure", [new ReservationLine { ItemCode = "drinking-water", Quantity = 5 }], actor));
        var water = (await wh.Get())!.Stock.Single();
        Assert.Equal(100, water.OnHand);
        Assert.Equal(5, water.Reserved);
        Assert.Empty(await wh.GetMovements());
    }
}
