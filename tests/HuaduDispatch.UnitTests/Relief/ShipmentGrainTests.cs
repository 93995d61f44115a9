using HuaduDispatch.Contracts;

namespace HuaduDispatch.UnitTests.Relief;

/// <summary>The coordinator withdraws the convoys a new plan replaces: only while they are still Planned.</summary>
public sealed class ShipmentGrainTests(TestClusterFixture fixture) : IClassFixture<TestClusterFixture>
{
    private static readonly Actor Dispatcher = new() { Subject = "dispatcher-wang", Role = Roles.Dispatcher };
    private IGrainFactory Grains => fixture.Cluster.GrainFactory;

    private async Task<IWarehouseGrain> Warehouse(string id)
    {
        var set = ReferenceDataValidatorTests.Minimal() with
        {
            Teams = [],
            Warehouses = [ReferenceDataValidatorTests.Minimal().Warehouses[0] with { Id = id, Stock = [new StockLine { ItemCode = "drinking-water", Quantity = 100 }] }],
        };
        Assert.True((await Grains.GetGrain<IReferenceDataGrain>("withdraw-" + id).Load(set, "hash-" + id)).Applied);
        return Grains.GetGrain<IWarehouseGrain>(id);
    }

    private async Task<IShipmentGrain> Convoy(IWarehouseGrain warehouse, string warehouseId, string id)
    {
        Assert.True(await warehouse.Reserve(id, [new ReservationLine { ItemCode = "drinking-water", Quantity = 30 }], Actor.System));
        var now = DateTimeOffset.UtcNow;
        var shipment = Grains.GetGrain<IShipmentGrain>(id);
        await shipment.Create(new Shipment
        {
            Id = id, IncidentId = "INC-WITHDRAW", WarehouseId = warehouseId, Lines = [new ItemQuantity { ItemCode = "drinking-water", Quantity = 30 }],
            Status = ShipmentStatus.Planned, Trucks = 1, Departure = now.AddMinutes(50), Eta = now.AddMinutes(70), DistanceKm = 9,
            ReservationId = id, PlanId = 1, UpdatedAt = now,
        });
        return shipment;
    }

    [Fact]
    public async Task A_planned_convoy_is_withdrawn_and_its_stock_given_back_but_one_that_started_loading_is_left_alone()
    {
        var warehouse = await Warehouse("WH-WD1");
        var planned = await Convoy(warehouse, "WH-WD1", "SHP-1-WD-A");
        var loading = await Convoy(warehouse, "WH-WD1", "SHP-1-WD-B");
        await loading.UpdateStatus(new ShipmentStatusRequest { Status = ShipmentStatus.Loading }, Dispatcher);
        Assert.Equal(60, (await warehouse.Get())!.Stock.Single().Reserved);

        Assert.Equal(ShipmentStatus.Cancelled, (await planned.Withdraw())!.Status);
        Assert.Equal(ShipmentStatus.Loading, (await loading.Withdraw())!.Status);

        // Only the withdrawn convoy's 30 came back; the loading one still holds its stock and goes on as normal.
        Assert.Equal(30, (await warehouse.Get())!.Stock.Single().Reserved);
        Assert.Equal(ShipmentStatus.Departed, (await loading.UpdateStatus(new ShipmentStatusRequest { Status = ShipmentStatus.Departed }, Dispatcher)).Status);
        Assert.Null(await Grains.GetGrain<IShipmentGrain>("SHP-NONE").Withdraw());
    }
}
