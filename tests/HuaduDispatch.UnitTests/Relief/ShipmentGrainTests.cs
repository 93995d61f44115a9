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
    [Fact]
    public async Task A_departure_the_warehouse_recorded_before_a_crash_is_finished_not_cancelled_by_a_withdrawal_or_a_person()
    {
        // Departed: the warehouse ships the reservation, then the shipment stores its status. The node died in between, so the
        // warehouse has shipped the stock while the shipment still reads Planned (as ShipReservation alone leaves it here).
        var warehouse = await Warehouse("WH-WD9");
        var withdrawn = await Convoy(warehouse, "WH-WD9", "SHP-9-WD-A");
        var cancelled = await Convoy(warehouse, "WH-WD9", "SHP-9-WD-B");
        await warehouse.ShipReservation("SHP-9-WD-A", Dispatcher);
        await warehouse.ShipReservation("SHP-9-WD-B", Dispatcher);
        Assert.Equal(ShipmentStatus.Planned, (await withdrawn.Get())!.Status);

        // A re-plan's withdrawal finds the convoy gone: it is Departed, with its stock still out of the warehouse.
        Assert.Equal(ShipmentStatus.Departed, (await withdrawn.Withdraw())!.Status);
        Assert.Equal(ShipmentStatus.Departed, (await withdrawn.Get())!.Status);
        // A person's cancellation is refused and says why; the convoy is recorded as what it is.
        var refused = await Assert.ThrowsAsync<DomainException>(() => cancelled.UpdateStatus(new ShipmentStatusRequest { Status = ShipmentStatus.Cancelled }, Dispatcher));
        Assert.Contains("departed", refused.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(ShipmentStatus.Departed, (await cancelled.Get())!.Status);
        var stock = (await warehouse.Get())!.Stock.Single();
        Assert.Equal((40L, 0L), (stock.OnHand, stock.Reserved));
        Assert.Equal(ShipmentStatus.Delivered, (await withdrawn.UpdateStatus(new ShipmentStatusRequest { Status = ShipmentStatus.Delivered }, Dispatcher)).Status);
    }

    [Fact]
    public async Task A_repeated_delivery_with_the_same_quantities_is_a_retry_and_one_with_other_quantities_is_refused_not_ignored()
    {
        var warehouse = await Warehouse("WH-WD3");
        var convoy = await Convoy(warehouse, "WH-WD3", "SHP-1-WD-D");
        foreach (var status in new[] { ShipmentStatus.Loading, ShipmentStatus.Departed })
            await convoy.UpdateStatus(new ShipmentStatusRequest { Status = status }, Dispatcher);
        ShipmentStatusRequest Delivered(long water) => new() { Status = ShipmentStatus.Delivered, Received = [new ItemQuantity { ItemCode = "drinking-water", Quantity = water }] };

        var delivered = await convoy.UpdateStatus(Delivered(20), Dispatcher);
        Assert.Equal(20, Assert.Single(delivered.Received!).Quantity);
        var retried = await convoy.UpdateStatus(Delivered(20), Dispatcher); // a client's retry: answered as stored
        Assert.Equal((delivered.UpdatedAt, 20L), (retried.UpdatedAt, Assert.Single(retried.Received!).Quantity));

        // A "correction" to 30, or a Delivered without received (everything planned, 30), is not what was recorded: 409.
        var corrected = await Assert.ThrowsAsync<DomainException>(() => convoy.UpdateStatus(Delivered(30), Dispatcher));
        Assert.Equal((DomainErrorKind.Conflict, "the shipment was delivered with drinking-water 20; a delivery is recorded once, and a later correction is not taken"),
            (corrected.Kind, corrected.Message));
        await Assert.ThrowsAsync<DomainException>(() => convoy.UpdateStatus(new ShipmentStatusRequest { Status = ShipmentStatus.Delivered }, Dispatcher));
        Assert.Equal(20, Assert.Single((await convoy.Get())!.Received!).Quantity);
    }

    [Fact]
    public async Task A_repeated_cancellation_with_the_same_reason_is_a_retry_one_with_another_is_refused_and_a_withdrawn_convoy_takes_a_persons_reason()
    {
        var warehouse = await Warehouse("WH-WD5");
        var convoy = await Convoy(warehouse, "WH-WD5", "SHP-1-WD-G");
        ShipmentStatusRequest Cancel(string? reason) => new() { Status = ShipmentStatus.Cancelled, Reason = reason };

        var cancelled = await convoy.UpdateStatus(Cancel("truck broke down"), Dispatcher);
        var retried = await convoy.UpdateStatus(Cancel(" truck broke down "), Dispatcher); // a client's retry: answered as stored
        Assert.Equal((cancelled.UpdatedAt, "truck broke down"), (retried.UpdatedAt, retried.CancelReason));
        Assert.Equal("truck broke down", (await convoy.UpdateStatus(Cancel(null), Dispatcher)).CancelReason); // no reason: a retry too

        // Before, another reason got a 200 and was dropped.
        var other = await Assert.ThrowsAsync<DomainException>(() => convoy.UpdateStatus(Cancel("other"), Dispatcher));
        Assert.Equal((DomainErrorKind.Conflict, "the shipment was cancelled with the reason 'truck broke down'; a cancellation is recorded once, and a later reason is not taken"),
            (other.Kind, other.Message));
        Assert.Equal("truck broke down", (await convoy.Get())!.CancelReason);

        // A convoy a re-plan withdrew has no reason; a person's cancellation with one records it.
        var withdrawn = await Convoy(warehouse, "WH-WD5", "SHP-1-WD-H");
        Assert.Null((await withdrawn.Withdraw())!.CancelReason);
        Assert.Equal("bridge closed", (await withdrawn.UpdateStatus(Cancel("bridge closed"), Dispatcher)).CancelReason);
        Assert.Equal("bridge closed", (await withdrawn.Get())!.CancelReason);
        Assert.Equal(0, (await warehouse.Get())!.Stock.Single().Reserved);
    }

    [Fact]
    public async Task A_departed_convoy_records_when_it_left_and_arrives_the_planned_drive_after_that()
    {
        // Planned to leave in 50 min and arrive 20 min later; it leaves now. Before, it kept the planned times on the road.
        var warehouse = await Warehouse("WH-WD6");
        var convoy = await Convoy(warehouse, "WH-WD6", "SHP-1-WD-J");
        var planned = (await convoy.Get())!;
        await convoy.UpdateStatus(new ShipmentStatusRequest { Status = ShipmentStatus.Loading }, Dispatcher);

        var before = DateTimeOffset.UtcNow;
        var departed = await convoy.UpdateStatus(new ShipmentStatusRequest { Status = ShipmentStatus.Departed }, Dispatcher);
        var after = DateTimeOffset.UtcNow;

        Assert.NotNull(departed.DepartedAt);
        Assert.InRange(departed.DepartedAt!.Value, before, after);
        Assert.Equal(TimeSpan.FromMinutes(20), departed.Eta - departed.DepartedAt.Value);
        Assert.Equal(departed.DepartedAt, departed.Departure); // the departure is the actual one (planned: 50 min ahead)
        Assert.Equal(TimeSpan.FromMinutes(50), planned.Departure - planned.UpdatedAt);
        var stored = (await convoy.Get())!;
        Assert.Equal((departed.Status, departed.DepartedAt, departed.Eta), (stored.Status, stored.DepartedAt, stored.Eta));
        // Its trucks are back the same drive after delivery.
        var delivered = await convoy.UpdateStatus(new ShipmentStatusRequest { Status = ShipmentStatus.Delivered }, Dispatcher);
        Assert.Equal(delivered.DeliveredAt!.Value + TimeSpan.FromMinutes(20), HuaduDispatch.Grains.Relief.FleetInUse.BackAt(delivered));
    }

    [Fact]
    public async Task A_late_report_of_departure_and_delivery_keeps_their_times_and_a_retry_with_another_time_is_refused()
    {
        var warehouse = await Warehouse("WH-WD7");
        var convoy = await Convoy(warehouse, "WH-WD7", "SHP-1-WD-K");
        var leftAt = DateTimeOffset.UtcNow.AddMinutes(-30);
        var arrivedAt = leftAt.AddMinutes(18);

        var departed = await convoy.UpdateStatus(new ShipmentStatusRequest { Status = ShipmentStatus.Departed, OccurredAt = leftAt }, Dispatcher);
        Assert.Equal((leftAt, leftAt, leftAt.AddMinutes(20)), (departed.DepartedAt!.Value, departed.Departure, departed.Eta));
        var delivered = await convoy.UpdateStatus(new ShipmentStatusRequest { Status = ShipmentStatus.Delivered, OccurredAt = arrivedAt }, Dispatcher);
        Assert.Equal(arrivedAt, delivered.DeliveredAt);
        Assert.True(delivered.UpdatedAt > arrivedAt.AddMinutes(10)); // when it was reported

        // The same report again is a retry; another time is a 409 quoting the one recorded.
        Assert.Equal(arrivedAt, (await convoy.UpdateStatus(new ShipmentStatusRequest { Status = ShipmentStatus.Delivered, OccurredAt = arrivedAt }, Dispatcher)).DeliveredAt);
        Assert.Equal(arrivedAt, (await convoy.UpdateStatus(new ShipmentStatusRequest { Status = ShipmentStatus.Delivered }, Dispatcher)).DeliveredAt);
        var other = await Assert.ThrowsAsync<DomainException>(() => convoy.UpdateStatus(new ShipmentStatusRequest { Status = ShipmentStatus.Delivered, OccurredAt = arrivedAt.AddMinutes(5) }, Dispatcher));
        Assert.Equal(DomainErrorKind.Conflict, other.Kind);
        Assert.Contains($"was Delivered at {arrivedAt:O}", other.Message);

        // A device clock 3 minutes ahead: stored as the server's time, and the same report again is a retry, not a 409.
        var ahead = await Convoy(warehouse, "WH-WD7", "SHP-1-WD-L");
        var aheadAt = DateTimeOffset.UtcNow.AddMinutes(3).ToOffset(TimeSpan.FromHours(8));
        var first = await ahead.UpdateStatus(new ShipmentStatusRequest { Status = ShipmentStatus.Departed, OccurredAt = aheadAt }, Dispatcher);
        Assert.True(first.DepartedAt < aheadAt.AddMinutes(-2));
        Assert.Equal(TimeSpan.Zero, first.DepartedAt!.Value.Offset); // in UTC, as the server's own times
        await Task.Delay(20);
        Assert.Equal(first.DepartedAt, (await ahead.UpdateStatus(new ShipmentStatusRequest { Status = ShipmentStatus.Departed, OccurredAt = aheadAt }, Dispatcher)).DepartedAt);
    }

    private static ShipmentAmendment Amendment(long water, int trucks = 1, long planId = 2)
    {
        var now = DateTimeOffset.UtcNow;
        return new ShipmentAmendment
        {
            Lines = [new ItemQuantity { ItemCode = "drinking-water", Quantity = water }], Trucks = trucks,
            Departure = now.AddMinutes(40), Eta = now.AddMinutes(65), DistanceKm = 9, PlanId = planId,
        };
    }

    [Fact]
    public async Task A_planned_convoy_is_amended_in_place_with_its_reservation_and_one_whose_change_the_stock_cannot_cover_stays_as_it_was()
    {
        var warehouse = await Warehouse("WH-AM1");
        var convoy = await Convoy(warehouse, "WH-AM1", "SHP-1-AM-A");
        var other = await Convoy(warehouse, "WH-AM1", "SHP-1-AM-B");
        async Task<long> Reserved() => (await warehouse.Get())!.Stock.Single().Reserved;

        var amended = (await convoy.Amend(Amendment(water: 50, trucks: 2)))!;
        Assert.Equal(("SHP-1-AM-A", ShipmentStatus.Planned, 50L, 2, 2L), (amended.Id, amended.Status, amended.Lines.Single().Quantity, amended.Trucks, amended.PlanId));
        Assert.Equal((50L, 2L), ((await convoy.Get())!.Lines.Single().Quantity, (await convoy.Get())!.PlanId));
        Assert.Equal(80, await Reserved()); // 50 + the other convoy's 30

        // 100 on hand, 80 held: 21 more cannot be had. The convoy and its reservation stay as they were.
        var refused = (await convoy.Amend(Amendment(water: 71, planId: 3)))!;
        Assert.Equal((50L, 2L), (refused.Lines.Single().Quantity, refused.PlanId));
        Assert.Equal(80, await Reserved());

        // Fewer gives stock back; departing then ships exactly the amended lines.
        Assert.Equal(10, (await convoy.Amend(Amendment(water: 10, planId: 4)))!.Lines.Single().Quantity);
        Assert.Equal(40, await Reserved());
        await convoy.UpdateStatus(new ShipmentStatusRequest { Status = ShipmentStatus.Departed }, Dispatcher);
        var water = (await warehouse.Get())!.Stock.Single();
        Assert.Equal((90L, 30L), (water.OnHand, water.Reserved));

        // Only a Planned convoy is amended.
        await other.UpdateStatus(new ShipmentStatusRequest { Status = ShipmentStatus.Loading }, Dispatcher);
        var loading = (await other.Amend(Amendment(water: 5, planId: 5)))!;
        Assert.Equal((ShipmentStatus.Loading, 30L), (loading.Status, loading.Lines.Single().Quantity));
        Assert.Equal(30, (await warehouse.Get())!.Stock.Single().Reserved);
        Assert.Null(await Grains.GetGrain<IShipmentGrain>("SHP-NONE-AM").Amend(Amendment(water: 5)));
    }

    [Fact]
    public async Task A_delivery_naming_only_the_short_item_records_the_others_as_arrived_and_an_empty_received_is_refused()
    {
        var warehouse = await Warehouse("WH-WD4");
        Assert.True(await warehouse.Reserve("SHP-1-WD-E", [new ReservationLine { ItemCode = "drinking-water", Quantity = 30 }], Actor.System));
        var now = DateTimeOffset.UtcNow;
        var convoy = Grains.GetGrain<IShipmentGrain>("SHP-1-WD-E");
        await convoy.Create(new Shipment
        {
            Id = "SHP-1-WD-E", IncidentId = "INC-WITHDRAW", WarehouseId = "WH-WD4",
            Lines = [new ItemQuantity { ItemCode = "drinking-water", Quantity = 30 }, new ItemQuantity { ItemCode = "blanket", Quantity = 250 }],
            Status = ShipmentStatus.Planned, Trucks = 1, Departure = now.AddMinutes(50), Eta = now.AddMinutes(70), DistanceKm = 9,
            ReservationId = "SHP-1-WD-E", PlanId = 1, UpdatedAt = now,
        });
        await convoy.UpdateStatus(new ShipmentStatusRequest { Status = ShipmentStatus.Departed }, Dispatcher);

        var empty = await Assert.ThrowsAsync<DomainException>(() => convoy.UpdateStatus(new ShipmentStatusRequest { Status = ShipmentStatus.Delivered, Received = [] }, Dispatcher));
        Assert.Equal(("received", DomainErrorKind.Invalid), (empty.Field, empty.Kind));
        Assert.Equal(ShipmentStatus.Departed, (await convoy.Get())!.Status);

        var delivered = await convoy.UpdateStatus(new ShipmentStatusRequest
        {
            Status = ShipmentStatus.Delivered, Received = [new ItemQuantity { ItemCode = "blanket", Quantity = 200 }],
        }, Dispatcher);
        Assert.Equal([("drinking-water", 30L), ("blanket", 200L)], delivered.Received!.Select(r => (r.ItemCode, r.Quantity)));
        // The same report again is a retry, not a correction.
        var again = await convoy.UpdateStatus(new ShipmentStatusRequest
        {
            Status = ShipmentStatus.Delivered, Received = [new ItemQuantity { ItemCode = "blanket", Quantity = 200 }],
        }, Dispatcher);
        Assert.Equal(delivered.Received, again.Received);
    }
}
