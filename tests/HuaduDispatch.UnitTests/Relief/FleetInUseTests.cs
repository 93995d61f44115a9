using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Relief;

namespace HuaduDispatch.UnitTests.Relief;

/// <summary>Trucks held by earlier convoys are not free for the next plan (one trip per truck), until they are back.</summary>
public sealed class FleetInUseTests
{
    private static readonly DateTimeOffset Now = new(2026, 7, 15, 14, 0, 0, TimeSpan.FromHours(8));

    private static Shipment Convoy(string id, string warehouse, ShipmentStatus status, int trucks, TimeSpan drive, DateTimeOffset? deliveredAt = null) => new()
    {
        Id = id, IncidentId = "INC-1", WarehouseId = warehouse, Lines = [new ItemQuantity { ItemCode = "blanket", Quantity = 10 }],
        Status = status, Trucks = trucks, Departure = Now.AddMinutes(-60), Eta = Now.AddMinutes(-60) + drive, DistanceKm = 12,
        ReservationId = id, PlanId = 1, UpdatedAt = deliveredAt ?? Now.AddMinutes(-70), DeliveredAt = deliveredAt,
    };

    [Theory]
    [InlineData(ShipmentStatus.Planned, false)]
    [InlineData(ShipmentStatus.Loading, true)]
    [InlineData(ShipmentStatus.Departed, true)]
    [InlineData(ShipmentStatus.Cancelled, false)]
    public void Loading_and_departed_convoys_hold_their_trucks_planned_and_cancelled_ones_do_not(ShipmentStatus status, bool holds) =>
        Assert.Equal(holds, FleetInUse.Holds(Convoy("S1", "WH-REG", status, 2, TimeSpan.FromMinutes(30)), Now));

    [Fact]
    public void A_delivered_convoy_holds_its_trucks_for_the_drive_back()
    {
        var delivered = Convoy("S1", "WH-REG", ShipmentStatus.Delivered, 2, TimeSpan.FromMinutes(30), deliveredAt: Now.AddMinutes(-10));

        Assert.Equal(Now.AddMinutes(20), FleetInUse.BackAt(delivered));
        Assert.True(FleetInUse.Holds(delivered, Now));
        Assert.True(FleetInUse.Holds(delivered, Now.AddMinutes(19)));
        Assert.False(FleetInUse.Holds(delivered, Now.AddMinutes(20)));
    }

    [Fact]
    public void Stock_of_replaced_planned_convoys_counts_as_free_for_the_plan_that_replaces_them()
    {
        ReliefWarehouse Wh(string id, Dictionary<string, long> available) => new(id, new GeoPoint { Lat = 23.4, Lon = 113.2 }, TimeSpan.FromMinutes(30), 2, 5000, 30, available);
        Shipment Planned(string id, string warehouse, params (string Item, long Quantity)[] lines) =>
            Convoy(id, warehouse, ShipmentStatus.Planned, 1, TimeSpan.FromMinutes(30)) with { Lines = [.. lines.Select(l => new ItemQuantity { ItemCode = l.Item, Quantity = l.Quantity })] };

        var warehouses = ReliefWarehouseSelection.WithReleased(
            [Wh("WH-REG", new() { ["blanket"] = 50 }), Wh("WH-SP-01", new() { ["tent"] = 3 })],
            [Planned("S1", "WH-REG", ("blanket", 100), ("tent", 4)), Planned("S2", "WH-REG", ("blanket", 20)), Planned("S3", "WH-GONE", ("tent", 9))]);

        // WH-REG gets back 120 blankets and its 4 tents (reserved to the last unit, so missing from its available list);
        // WH-SP-01 is untouched, and a warehouse the plan does not use any more (WH-GONE) is not added.
        Assert.Equal(2, warehouses.Count);
        Assert.Equal(new Dictionary<string, long> { ["blanket"] = 170, ["tent"] = 4 }, warehouses[0].Available);
        Assert.Equal(new Dictionary<string, long> { ["tent"] = 3 }, warehouses[1].Available);
    }

    [Fact]
    public void The_next_return_is_the_earliest_delivered_convoy_still_driving_back()
    {
        var early = Convoy("S1", "WH-REG", ShipmentStatus.Delivered, 1, TimeSpan.FromMinutes(30), deliveredAt: Now.AddMinutes(-10));
        var late = Convoy("S2", "WH-REG", ShipmentStatus.Delivered, 1, TimeSpan.FromMinutes(50), deliveredAt: Now.AddMinutes(-10));
        var back = Convoy("S3", "WH-REG", ShipmentStatus.Delivered, 1, TimeSpan.FromMinutes(5), deliveredAt: Now.AddMinutes(-10));
        var onTheRoad = Convoy("S4", "WH-REG", ShipmentStatus.Departed, 1, TimeSpan.FromMinutes(1));

        Assert.Equal(Now.AddMinutes(20), FleetInUse.NextReturn([late, back, onTheRoad, early], Now));
        Assert.Null(FleetInUse.NextReturn([back, onTheRoad], Now));
    }

    [Fact]
    public void Held_trucks_are_summed_per_warehouse_and_taken_off_the_planners_fleet_never_below_zero()
    {
        var held = FleetInUse.ByWarehouse([
            Convoy("S1", "WH-REG", ShipmentStatus.Loading, 2, TimeSpan.FromMinutes(30)),
            Convoy("S2", "WH-REG", ShipmentStatus.Departed, 3, TimeSpan.FromMinutes(30)),
            Convoy("S3", "WH-SP-01", ShipmentStatus.Departed, 5, TimeSpan.FromMinutes(30)),
            Convoy("S4", "WH-SP-02", ShipmentStatus.Cancelled, 1, TimeSpan.FromMinutes(30)),
        ], Now);
        Assert.Equal(new Dictionary<string, int> { ["WH-REG"] = 5, ["WH-SP-01"] = 5 }, held);

        ReliefWarehouse Wh(string id, int trucks) => new(id, new GeoPoint { Lat = 23.4, Lon = 113.2 }, TimeSpan.FromMinutes(30), trucks, 5000, 30,
            new Dictionary<string, long> { ["blanket"] = 100 });
        var fleet = FleetInUse.Subtract([Wh("WH-REG", 6), Wh("WH-SP-01", 2), Wh("WH-SP-02", 2)], held);

        Assert.Equal([("WH-REG", 1), ("WH-SP-01", 0), ("WH-SP-02", 2)], fleet.Select(w => (w.Id, w.Trucks)));
    }

    [Fact]
    public void Earlier_convoys_sort_into_orphaned_replaced_holding_and_finished()
    {
        var sorted = EarlierConvoys.Sort(
        [
            ("SHP-1-A", "WH-A", null),
            ("SHP-1-B", "WH-B", Convoy("SHP-1-B", "WH-B", ShipmentStatus.Planned, 1, TimeSpan.FromMinutes(30))),
            ("SHP-1-C", "WH-C", Convoy("SHP-1-C", "WH-C", ShipmentStatus.Departed, 1, TimeSpan.FromMinutes(30))),
            ("SHP-1-D", "WH-D", Convoy("SHP-1-D", "WH-D", ShipmentStatus.Delivered, 1, TimeSpan.FromMinutes(30), deliveredAt: Now.AddMinutes(-10))),
            ("SHP-1-E", "WH-E", Convoy("SHP-1-E", "WH-E", ShipmentStatus.Delivered, 1, TimeSpan.FromMinutes(30), deliveredAt: Now.AddMinutes(-40))),
            ("SHP-1-F", "WH-F", Convoy("SHP-1-F", "WH-F", ShipmentStatus.Cancelled, 1, TimeSpan.FromMinutes(30))),
        ], Now);

        Assert.Equal([("SHP-1-A", "WH-A")], sorted.Orphaned);
        Assert.Equal(["SHP-1-B"], sorted.Replaced.Select(s => s.Id));
        Assert.Equal(["SHP-1-C", "SHP-1-D"], sorted.Holding.Select(s => s.Id)); // D's trucks are back 20 min from now
        Assert.Equal(["SHP-1-E", "SHP-1-F"], sorted.Finished);
    }
}
