using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Warehouses;

namespace HuaduDispatch.UnitTests.Warehouses;

public sealed class StockLedgerTests
{
    private static readonly Actor Keeper = new() { Subject = "keeper", Role = Roles.Dispatcher };
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 8, 0, 0, TimeSpan.Zero);
    private static readonly HashSet<string> Items = ["drinking-water", "blanket"];

    private static (WarehouseState State, StockLedger Ledger) Ledger(long water = 100)
    {
        var state = new WarehouseState();
        state.Stock["drinking-water"] = new StockEntry { OnHand = water };
        return (state, new StockLedger(state));
    }

    private static StockMovementRequest Move(StockMovementKind kind, long qty, string item = "drinking-water") =>
        new() { ItemCode = item, Kind = kind, Quantity = qty, Reason = "test" };

    [Fact]
    public void Receive_issue_and_adjust_change_on_hand_and_are_recorded_with_who_and_when()
    {
        var (state, ledger) = Ledger();
        ledger.Record(Move(StockMovementKind.Receive, 50), Keeper, Now, Items);
        ledger.Record(Move(StockMovementKind.Issue, 30), Keeper, Now, Items);
        var adjust = ledger.Record(Move(StockMovementKind.Adjust, -5), Keeper, Now, Items);
        Assert.Equal(115, state.Stock["drinking-water"].OnHand);
        Assert.Equal(115, adjust.OnHandAfter);
        Assert.Equal([50L, -30L, -5L], state.Movements.Select(m => m.Change));
        Assert.All(state.Movements, m => Assert.Equal(("keeper", Now), (m.Actor, m.At)));
        Assert.Equal([1L, 2L, 3L], state.Movements.Select(m => m.Seq));
    }

    [Fact]
    public void A_refused_movement_of_an_item_the_warehouse_never_held_leaves_no_stock_line_and_says_an_Issue()
    {
        var (state, ledger) = Ledger();
        var conflict = Assert.Throws<DomainException>(() => ledger.Record(Move(StockMovementKind.Issue, 1, "blanket"), Keeper, Now, Items));
        Assert.Contains("blanket: 0 on hand", conflict.Message);
        Assert.Throws<DomainException>(() => ledger.Record(Move(StockMovementKind.Adjust, -3, "blanket"), Keeper, Now, Items));
        Assert.Equal(["drinking-water"], state.Stock.Keys);
        Assert.Empty(state.Movements);

        var invalid = Assert.Throws<DomainException>(() => ledger.Record(Move(StockMovementKind.Issue, 0), Keeper, Now, Items));
        Assert.Contains("an Issue needs a positive quantity", invalid.Message);
        ledger.Record(Move(StockMovementKind.Receive, 4, "blanket"), Keeper, Now, Items); // a line once it is received
        Assert.Equal(4, state.Stock["blanket"].OnHand);
    }

    [Fact]
    public void A_movement_kept_under_a_request_key_is_found_by_its_retry_for_24_hours_then_forgotten()
    {
        var (state, ledger) = Ledger();
        var first = ledger.Record(Move(StockMovementKind.Issue, 30), Keeper, Now, Items);
        ledger.Keep("key-1", first, Now);
        ledger.Keep(null, first, Now); // a request without a key keeps nothing
        Assert.Same(first, ledger.Booked("key-1"));
        Assert.Null(ledger.Booked("key-2"));
        Assert.Null(ledger.Booked(null));

        var later = ledger.Record(Move(StockMovementKind.Issue, 1), Keeper, Now.AddHours(25), Items);
        ledger.Keep("key-2", later, Now.AddHours(25));
        Assert.Null(ledger.Booked("key-1"));
        Assert.Equal(["key-2"], state.KeyedMovements.Keys);
    }

    [Fact]
    public void A_shipped_reservation_says_so_and_a_release_gives_nothing_back()
    {
        var (state, ledger) = Ledger();
        Assert.True(ledger.Reserve("r1", [new ReservationLine { ItemCode = "drinking-water", Quantity = 30 }]));
        Assert.False(ledger.Shipped("r1"));
        ledger.Ship("r1", Keeper, Now);

        Assert.True(ledger.Shipped("r1"));
        Assert.False(ledger.Release("r1", Now));
        Assert.Equal((70L, 0L), (state.Stock["drinking-water"].OnHand, state.Stock["drinking-water"].Reserved));
        Assert.False(ledger.Shipped("unknown"));
    }

    [Fact]
    public void Stock_never_goes_negative_and_a_refused_movement_changes_nothing()
    {
        var (state, ledger) = Ledger(10);
        var e = Assert.Throws<DomainException>(() => ledger.Record(Move(StockMovementKind.Issue, 11), Keeper, Now, Items));
        Assert.Equal(DomainErrorKind.Conflict, e.Kind);
        Assert.Throws<DomainException>(() => ledger.Record(Move(StockMovementKind.Adjust, -11), Keeper, Now, Items));
        Assert.Equal(10, state.Stock["drinking-water"].OnHand);
        Assert.Empty(state.Movements);
    }

    [Fact]
    public void Reserved_stock_cannot_be_issued_and_available_is_on_hand_minus_reserved()
    {
        var (state, ledger) = Ledger(100);
        Assert.True(ledger.Reserve("plan-1/wh/inc", [new ReservationLine { ItemCode = "drinking-water", Quantity = 80 }]));
        Assert.Equal(20, ledger.Available("drinking-water"));
        var e = Assert.Throws<DomainException>(() => ledger.Record(Move(StockMovementKind.Issue, 21), Keeper, Now, Items));
        Assert.Contains("reserved", e.Reason);
        ledger.Record(Move(StockMovementKind.Issue, 20), Keeper, Now, Items);
        Assert.Equal((80L, 80L), (state.Stock["drinking-water"].OnHand, state.Stock["drinking-water"].Reserved));
    }

    [Fact]
    public void A_reservation_is_all_or_nothing_and_a_retry_with_the_same_id_applies_once()
    {
        var (state, ledger) = Ledger(100);
        Assert.False(ledger.Reserve("r1", [new ReservationLine { ItemCode = "drinking-water", Quantity = 60 }, new ReservationLine { ItemCode = "blanket", Quantity = 1 }]));
        Assert.Equal(0, state.Stock["drinking-water"].Reserved);
        Assert.True(ledger.Reserve("r2", [new ReservationLine { ItemCode = "drinking-water", Quantity = 60 }]));
        Assert.True(ledger.Reserve("r2", [new ReservationLine { ItemCode = "drinking-water", Quantity = 60 }]));
        Assert.Equal(60, state.Stock["drinking-water"].Reserved);
        Assert.False(ledger.Reserve("r3", [new ReservationLine { ItemCode = "drinking-water", Quantity = 60 }]));
    }

    [Fact]
    public void An_amended_reservation_holds_exactly_its_new_lines_when_the_stock_covers_what_they_add_and_changes_nothing_otherwise()
    {
        var (state, ledger) = Ledger(100);
        state.Stock["blanket"] = new StockEntry { OnHand = 10 };
        ReservationLine Line(string item, long quantity) => new() { ItemCode = item, Quantity = quantity };
        (long Water, long Blanket) Reserved() => (state.Stock["drinking-water"].Reserved, state.Stock["blanket"].Reserved);
        Assert.True(ledger.Reserve("r", [Line("drinking-water", 30)]));
        Assert.True(ledger.Reserve("other", [Line("drinking-water", 50)]));

        // More water and a new item: held when the free stock (20 water, 10 blankets) covers what is added.
        Assert.True(ledger.Amend("r", [Line("drinking-water", 50), Line("blanket", 4)], out var changed));
        Assert.True(changed);
        Assert.Equal((100L, 4L), Reserved());
        Assert.True(ledger.Amend("r", [Line("drinking-water", 50), Line("blanket", 4)], out changed)); // a retry: nothing more
        Assert.False(changed);
        Assert.Equal((100L, 4L), Reserved());

        // Asking for more than is free changes nothing, not even the lines that would fit.
        Assert.False(ledger.Amend("r", [Line("drinking-water", 71), Line("blanket", 2)], out _));
        Assert.Equal((100L, 4L), Reserved());
        Assert.Equal([("blanket", 4L), ("drinking-water", 50L)], state.Reservations["r"].Lines.Select(l => (l.ItemCode, l.Quantity)).Order());

        // Less water and the blankets dropped give that stock back; shipping then ships the amended lines.
        Assert.True(ledger.Amend("r", [Line("drinking-water", 10)], out _));
        Assert.Equal((60L, 0L), Reserved());
        Assert.Single(ledger.Ship("r", Keeper, Now));
        Assert.Equal((90L, 50L), (state.Stock["drinking-water"].OnHand, state.Stock["drinking-water"].Reserved));

        // Only a held reservation can be amended.
        Assert.False(ledger.Amend("r", [Line("drinking-water", 5)], out _));       // shipped
        Assert.True(ledger.Release("other", Now));
        Assert.False(ledger.Amend("other", [Line("drinking-water", 5)], out _));   // released
        Assert.False(ledger.Amend("unknown", [Line("drinking-water", 5)], out _));
        Assert.Equal((0L, 0L), Reserved());
        Assert.Throws<DomainException>(() => ledger.Amend("r", [Line("drinking-water", 0)], out _));
    }

    [Fact]
    public void Shipping_takes_reserved_stock_out_once_and_releasing_gives_it_back_once()
    {
        var (state, ledger) = Ledger(100);
        ledger.Reserve("a", [new ReservationLine { ItemCode = "drinking-water", Quantity = 30 }]);
        ledger.Reserve("b", [new ReservationLine { ItemCode = "drinking-water", Quantity = 20 }]);
        Assert.Single(ledger.Ship("a", Keeper, Now));
        Assert.Empty(ledger.Ship("a", Keeper, Now));
        Assert.True(ledger.Release("b", Now));
        Assert.False(ledger.Release("b", Now));
        Assert.Equal((70L, 0L), (state.Stock["drinking-water"].OnHand, state.Stock["drinking-water"].Reserved));
        Assert.Equal(StockMovementKind.Shipped, state.Movements.Single().Kind);
        Assert.Throws<DomainException>(() => ledger.Ship("b", Keeper, Now));
    }

    [Fact]
    public void Released_reservations_are_forgotten_a_day_after_their_release_and_held_or_shipped_ones_are_kept()
    {
        var (state, ledger) = Ledger(100);
        foreach (var id in new[] { "held", "shipped", "released-early", "released-late", "released-before-dates" })
            Assert.True(ledger.Reserve(id, [new ReservationLine { ItemCode = "drinking-water", Quantity = 5 }]));
        ledger.Ship("shipped", Keeper, Now);
        ledger.Release("released-early", Now);
        ledger.Release("released-late", Now.AddHours(20));
        ledger.Release("released-before-dates", Now);
        state.Reservations["released-before-dates"].ReleasedAt = null; // stored before release times were recorded

        Assert.False(ledger.PruneReleased(Now.AddHours(23)));
        Assert.Equal(5, state.Reservations.Count);
        Assert.False(ledger.Reserve("released-early", [new ReservationLine { ItemCode = "drinking-water", Quantity = 5 }]), "a retry within the day is still refused");

        Assert.True(ledger.PruneReleased(Now.AddHours(25)));
        Assert.Equal(["held", "released-before-dates", "released-late", "shipped"], state.Reservations.Keys.Order(StringComparer.Ordinal));
        Assert.True(ledger.PruneReleased(Now.AddHours(50)));
        Assert.Equal(["held", "shipped"], state.Reservations.Keys.Order(StringComparer.Ordinal));
        Assert.Equal((95L, 5L), (state.Stock["drinking-water"].OnHand, state.Stock["drinking-water"].Reserved));
    }

    [Theory]
    [InlineData(null, StockMovementKind.Receive, 1L, "itemCode")]
    [InlineData("gold", StockMovementKind.Receive, 1L, "itemCode")]
    [InlineData("blanket", StockMovementKind.Receive, 0L, "quantity")]
    [InlineData("blanket", StockMovementKind.Issue, -3L, "quantity")]
    [InlineData("blanket", StockMovementKind.Adjust, 0L, "quantity")]
    [InlineData("blanket", StockMovementKind.Shipped, 1L, "kind")]
    public void Bad_movements_are_refused_naming_the_field(string? item, StockMovementKind kind, long qty, string field)
    {
        var (_, ledger) = Ledger();
        var e = Assert.Throws<DomainException>(() => ledger.Record(new StockMovementRequest { ItemCode = item, Kind = kind, Quantity = qty, Reason = "x" }, Keeper, Now, Items));
        Assert.Equal((DomainErrorKind.Invalid, field), (e.Kind, e.Field));
    }

    [Fact]
    public void A_shipped_movement_sent_by_a_client_is_refused_with_words_that_do_not_contradict_it()
    {
        var (_, ledger) = Ledger();
        var e = Assert.Throws<DomainException>(() => ledger.Record(new StockMovementRequest { ItemCode = "blanket", Kind = StockMovementKind.Shipped, Quantity = 1, Reason = "x" }, Keeper, Now, Items));
        Assert.Equal("Shipped is recorded by a convoy's departure, not sent; send Receive, Issue or Adjust", e.Reason);
    }

    [Fact]
    public void Past_the_recent_limit_all_but_the_newest_half_go_to_the_archive_and_numbering_goes_on_after_them()
    {
        var (state, ledger) = Ledger();
        for (var i = 0; i < StockLedger.RecentMovements; i++) ledger.Record(Move(StockMovementKind.Receive, 1), Keeper, Now, Items);
        Assert.Empty(ledger.ToArchive());

        ledger.Record(Move(StockMovementKind.Receive, 1), Keeper, Now, Items);
        var moving = ledger.ToArchive();
        Assert.Equal(Enumerable.Range(1, StockLedger.RecentMovements / 2 + 1).Select(i => (long)i), moving.Select(m => m.Seq));

        ledger.Archived(moving);
        Assert.Equal(moving[^1].Seq, state.ArchivedThrough);
        Assert.Equal(StockLedger.RecentMovements / 2, state.Movements.Count);
        Assert.Equal(StockLedger.RecentMovements + 2, ledger.Record(Move(StockMovementKind.Receive, 1), Keeper, Now, Items).Seq);
        Assert.Throws<InvalidOperationException>(() => ledger.Archived([state.Movements[^1]])); // only the oldest can go
    }

    [Theory]
    [InlineData(StockMovementKind.Receive, 2147483647L, "a Receive takes from 1 to 1000000000")]
    [InlineData(StockMovementKind.Issue, 1000000001L, "an Issue takes from 1 to 1000000000")]
    [InlineData(StockMovementKind.Adjust, -2147483647L, "an Adjust takes from -1000000000 to 1000000000")]
    public void A_quantity_out_of_range_is_refused_saying_the_range(StockMovementKind kind, long quantity, string range)
    {
        var (state, ledger) = Ledger();
        var e = Assert.Throws<DomainException>(() => ledger.Record(Move(kind, quantity), Keeper, Now, Items));
        Assert.Equal(("quantity", DomainErrorKind.Invalid), (e.Field, e.Kind));
        Assert.Contains(range, e.Reason);
        Assert.Empty(state.Movements);
    }
}
