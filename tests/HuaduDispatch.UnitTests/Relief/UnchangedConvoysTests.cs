using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Relief;
using static HuaduDispatch.UnitTests.Relief.ReliefFixtures;

namespace HuaduDispatch.UnitTests.Relief;

public sealed class UnchangedConvoysTests
{
    private static Shipment Convoy(string id, string warehouse, string incident, int trucks, DateTimeOffset departure, params (string Item, long Quantity)[] lines) => new()
    {
        Id = id, IncidentId = incident, WarehouseId = warehouse,
        Lines = [.. lines.Select(l => new ItemQuantity { ItemCode = l.Item, Quantity = l.Quantity })],
        Status = ShipmentStatus.Planned, Trucks = trucks, Departure = departure, Eta = departure.AddMinutes(40), DistanceKm = 12,
        ReservationId = id, PlanId = 1, UpdatedAt = Now.AddMinutes(-10),
    };

    /// <summary>A line of the new plan; by default at the times of the convoys below that leave <c>soon</c> (Now + 30 min).</summary>
    private static Allocation Line(string warehouse, string incident, string item, long quantity, int trucks, DateTimeOffset? departure = null) =>
        new(incident, warehouse, item, quantity, departure ?? Now.AddMinutes(30), (departure ?? Now.AddMinutes(30)).AddMinutes(40), 12, trucks);

    [Fact]
    public void A_convoy_the_new_plan_sends_again_line_for_line_on_as_many_trucks_is_kept_and_any_difference_replaces_it()
    {
        var soon = Now.AddMinutes(30);
        var replaced = new[]
        {
            Convoy("SHP-1-A-W1", "W1", "A", 1, soon, ("water", 10), ("blanket", 5)),   // the same lines, split differently below
            Convoy("SHP-1-A-W2", "W2", "A", 1, soon, ("water", 10)),                    // one unit more in the new plan
            Convoy("SHP-1-B-W1", "W1", "B", 1, soon, ("water", 10)),                    // two trucks in the new plan
            Convoy("SHP-1-B-W2", "W2", "B", 1, soon, ("water", 10)),                    // not in the new plan
            Convoy("SHP-1-C-W1", "W1", "C", 1, soon, ("water", 10)),                    // the new plan adds an item
        };
        var plan = new[]
        {
            Line("W1", "A", "blanket", 5, 1), Line("W1", "A", "water", 4, 1), Line("W1", "A", "water", 6, 1),
            Line("W2", "A", "water", 11, 1),
            Line("W1", "B", "water", 10, 2),
            Line("W1", "C", "water", 10, 1), Line("W1", "C", "tent", 1, 1),
        };

        var kept = UnchangedConvoys.Find(replaced, plan, Now);

        Assert.Equal(["SHP-1-A-W1"], kept.Values.Select(s => s.Id));
        Assert.Equal(("W1", "A"), Assert.Single(kept.Keys));
    }

    [Fact]
    public void A_convoy_whose_departure_has_passed_while_it_is_still_planned_is_replaced_so_its_times_are_planned_again()
    {
        var late = Convoy("SHP-1-A-W1", "W1", "A", 1, Now.AddMinutes(-5), ("water", 10));
        var due = Convoy("SHP-1-B-W1", "W1", "B", 1, Now, ("water", 10));
        var ahead = Convoy("SHP-1-C-W1", "W1", "C", 1, Now.AddMinutes(1), ("water", 10));
        DateTimeOffset Again(DateTimeOffset before) => before > Now ? before : Now.AddMinutes(20); // as planned now
        var plan = new[]
        {
            Line("W1", "A", "water", 10, 1, Again(late.Departure)), Line("W1", "B", "water", 10, 1, Again(due.Departure)),
            Line("W1", "C", "water", 10, 1, Again(ahead.Departure)),
        };

        var kept = UnchangedConvoys.Find([late, due, ahead], plan, Now);

        Assert.Equal(["SHP-1-C-W1"], kept.Values.Select(s => s.Id));
        Assert.Equal(["SHP-1-A-W1", "SHP-1-B-W1"], UnchangedConvoys.Amendable([late, due, ahead], plan, kept).Select(s => s.Id).Order());
    }

    [Fact]
    public void A_convoy_the_new_plan_sends_as_it_is_but_at_other_times_is_amended_once_they_differ_by_the_tolerance()
    {
        // Their warehouses are ready and have not started loading them: the plan now has them leave later than they say. A
        // few seconds later is kept (re-plans come several a second); five minutes later, or earlier, is amended.
        var soon = Now.AddMinutes(5);
        var seconds = Convoy("SHP-1-A-W1", "W1", "A", 1, soon, ("water", 10));
        var minutes = Convoy("SHP-1-B-W1", "W1", "B", 1, soon, ("water", 10));
        var earlier = Convoy("SHP-1-C-W1", "W1", "C", 1, soon, ("water", 10));
        var plan = new[]
        {
            Line("W1", "A", "water", 10, 1, soon.AddSeconds(3)),
            Line("W1", "B", "water", 10, 1, soon + UnchangedConvoys.TimesTolerance),
            Line("W1", "C", "water", 10, 1, soon.AddMinutes(-1)),
        };

        var kept = UnchangedConvoys.Find([seconds, minutes, earlier], plan, Now);

        Assert.Equal(["SHP-1-A-W1"], kept.Values.Select(s => s.Id));
        Assert.Equal(["SHP-1-B-W1", "SHP-1-C-W1"], UnchangedConvoys.Amendable([seconds, minutes, earlier], plan, kept).Select(s => s.Id).Order());
    }

    [Fact]
    public void A_convoy_that_is_no_longer_planned_is_never_kept()
    {
        var loading = Convoy("SHP-1-A-W1", "W1", "A", 1, Now.AddMinutes(30), ("water", 10)) with { Status = ShipmentStatus.Loading };
        Assert.Empty(UnchangedConvoys.Find([loading], [Line("W1", "A", "water", 10, 1)], Now));
    }
    [Fact]
    public void A_convoy_the_new_plan_changes_on_the_same_route_is_amended_those_that_only_give_stock_back_first()
    {
        var soon = Now.AddMinutes(30);
        var loading = Convoy("SHP-1-D-W1", "W1", "D", 1, soon, ("water", 10)) with { Status = ShipmentStatus.Loading };
        var replaced = new[]
        {
            Convoy("SHP-1-A-W1", "W1", "A", 1, soon, ("water", 10)),                    // the same: kept, not amended
            Convoy("SHP-1-A-W2", "W2", "A", 1, soon, ("water", 10)),                    // one unit more
            Convoy("SHP-1-B-W1", "W1", "B", 1, soon, ("water", 10), ("tent", 2)),       // fewer tents, no more of anything
            Convoy("SHP-1-C-W1", "W1", "C", 1, soon, ("water", 10)),                    // not in the new plan: withdrawn
            Convoy("SHP-2-B-W1", "W1", "B", 1, soon, ("water", 3)),                     // a second convoy on B's route: withdrawn
            loading,                                                                    // not Planned
        };
        var plan = new[]
        {
            Line("W1", "A", "water", 10, 1),
            Line("W2", "A", "water", 11, 1),
            Line("W1", "B", "water", 10, 1), Line("W1", "B", "tent", 1, 1),
            Line("W1", "D", "water", 12, 1),
        };

        var kept = UnchangedConvoys.Find(replaced, plan, Now);
        var amendable = UnchangedConvoys.Amendable(replaced, plan, kept);

        Assert.Equal(["SHP-1-A-W1"], kept.Values.Select(c => c.Id));
        Assert.Equal(["SHP-1-B-W1", "SHP-1-A-W2"], amendable.Select(c => c.Id));
    }
}
