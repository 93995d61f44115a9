using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Relief;

namespace HuaduDispatch.UnitTests.Relief;

/// <summary>A warehouse mobilises once: a re-plan gives the planner what is left of its mobilisation, not the whole time again.</summary>
public sealed class WarehouseMobilisationTests
{
    private static readonly DateTimeOffset Now = new(2026, 7, 15, 14, 0, 0, TimeSpan.FromHours(8));

    private static Shipment Convoy(string id, string warehouse, DateTimeOffset? mobilisedSince) => new()
    {
        Id = id, IncidentId = "INC-1", WarehouseId = warehouse, Lines = [new ItemQuantity { ItemCode = "blanket", Quantity = 10 }],
        Status = ShipmentStatus.Planned, Trucks = 1, Departure = Now.AddMinutes(40), Eta = Now.AddMinutes(70), DistanceKm = 12,
        ReservationId = id, PlanId = 1, UpdatedAt = Now.AddMinutes(-5), MobilisedSince = mobilisedSince,
    };

    private static ReliefWarehouse Warehouse(string id, int mobilisationMinutes) =>
        new(id, new GeoPoint { Lat = 23.4, Lon = 113.2 }, TimeSpan.FromMinutes(mobilisationMinutes), 2, 5000, 30,
            new Dictionary<string, long> { ["blanket"] = 100 });

    [Fact]
    public void A_warehouse_is_mobilising_since_the_earliest_order_among_its_outstanding_convoys()
    {
        var since = WarehouseMobilisation.Since([
            Convoy("S1", "WH-A", Now.AddMinutes(-10)),
            Convoy("S2", "WH-A", Now.AddMinutes(-25)),
            Convoy("S3", "WH-B", Now.AddMinutes(-3)),
            Convoy("S4", "WH-C", null), // stored before the field: no credit
        ]);

        Assert.Equal(2, since.Count);
        Assert.Equal(Now.AddMinutes(-25), since["WH-A"]);
        Assert.Equal(Now.AddMinutes(-3), since["WH-B"]);
        Assert.False(since.ContainsKey("WH-C"));
    }

    [Fact]
    public void The_planner_is_given_the_mobilisation_left_never_below_zero_and_the_whole_time_where_nothing_was_ordered()
    {
        var since = new Dictionary<string, DateTimeOffset>
        {
            ["WH-PART"] = Now.AddMinutes(-20),  // 60 min mobilisation, 20 passed
            ["WH-DONE"] = Now.AddMinutes(-90),  // 60 min mobilisation, all passed
            ["WH-AHEAD"] = Now.AddMinutes(5),   // a clock ahead of this node's: nothing has passed
        };

        var remaining = WarehouseMobilisation.Remaining(
            [Warehouse("WH-PART", 60), Warehouse("WH-DONE", 60), Warehouse("WH-AHEAD", 60), Warehouse("WH-IDLE", 60)], since, Now)
            .ToDictionary(w => w.Id, w => w.Mobilisation);

        Assert.Equal(TimeSpan.FromMinutes(40), remaining["WH-PART"]);
        Assert.Equal(TimeSpan.Zero, remaining["WH-DONE"]);
        Assert.Equal(TimeSpan.FromMinutes(60), remaining["WH-AHEAD"]);
        Assert.Equal(TimeSpan.FromMinutes(60), remaining["WH-IDLE"]);
    }
}
