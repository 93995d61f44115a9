using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Relief;
using static HuaduDispatch.UnitTests.Relief.ReliefFixtures;

namespace HuaduDispatch.UnitTests.Relief;

public sealed class AvoidedRoutesTests
{
    private static readonly Dictionary<string, ReliefItemSpec> Water = Items(("water", 1, 0.001));
    private static readonly Actor Wang = new() { Subject = "dispatcher-wang", Role = Roles.Dispatcher };

    [Theory]
    [InlineData("optimal")]
    [InlineData("greedy")]
    public void A_plan_never_sends_from_a_warehouse_whose_route_to_the_demand_is_avoided(string which)
    {
        IReliefPlanner planner = which == "optimal" ? Optimal() : Greedy();
        var near = Warehouse("WH-NEAR", East(0.5), 2, 1000, ("water", 50));
        var far = Warehouse("WH-FAR", East(-3), 2, 1000, ("water", 50));
        var blocked = Demand("D", East(1), 1, 10, TimeSpan.FromHours(2), ("water", 10)) with { AvoidWarehouses = ["WH-NEAR"] };
        var other = Demand("E", East(1.2), 1, 5, TimeSpan.FromHours(2), ("water", 5));

        var plan = planner.Plan([blocked, other], [near, far], Water, Now);

        Assert.Equal(["WH-FAR"], plan.Allocations.Where(a => a.DemandId == "D").Select(a => a.WarehouseId).Distinct());
        Assert.Equal(10, plan.Allocations.Where(a => a.DemandId == "D").Sum(a => a.Quantity));
        Assert.Equal(["WH-NEAR"], plan.Allocations.Where(a => a.DemandId == "E").Select(a => a.WarehouseId).Distinct()); // only D avoids it
    }

    [Fact]
    public void An_item_held_only_where_the_route_is_avoided_is_short_as_TooFar_and_says_why()
    {
        var only = Warehouse("WH-ONLY", East(0.5), 2, 1000, ("water", 50));
        var demand = Demand("D", East(1), 1, 10, TimeSpan.FromHours(2), ("water", 10)) with { AvoidWarehouses = ["WH-ONLY"] };

        var plan = Optimal().Plan([demand], [only], Water, Now);

        Assert.Empty(plan.Allocations);
        var shortfall = Assert.Single(plan.Shortfalls);
        Assert.Equal((10L, ShortfallReason.TooFar), (shortfall.Missing, shortfall.Reason));
        Assert.Contains("avoided", shortfall.Detail);
    }

    [Fact]
    public void Avoiding_a_warehouse_twice_keeps_who_said_it_first_and_a_reason_is_trimmed_and_bounded()
    {
        var now = Now;
        var first = AvoidedRoutes.Avoid(new Dictionary<string, AvoidedWarehouse>(), "WH-A", "  bridge out  ", "SHP-1", Wang, now);
        Assert.Equal(("WH-A", "bridge out", "dispatcher-wang", now, "SHP-1"), (first.WarehouseId, first.Reason, first.By, first.At, first.ShipmentId));

        var again = AvoidedRoutes.Avoid(new Dictionary<string, AvoidedWarehouse> { ["WH-A"] = first }, "WH-A", "other", null,
            Wang with { Subject = "commander-li" }, now.AddMinutes(5));
        Assert.Same(first, again);

        Assert.Null(AvoidedRoutes.Reason("   "));
        var tooLong = Assert.Throws<DomainException>(() => AvoidedRoutes.Reason(new string('x', 501)));
        Assert.Equal(DomainErrorKind.Invalid, tooLong.Kind);
        Assert.Throws<DomainException>(() => AvoidedRoutes.Avoid(new Dictionary<string, AvoidedWarehouse>(), " ", null, null, Wang, now));
    }
}
