using HuaduDispatch.Grains.Relief;
using static HuaduDispatch.UnitTests.Relief.ReliefFixtures;

namespace HuaduDispatch.UnitTests.Relief;

/// <summary>The last check of a plan before the coordinator commits it.</summary>
public sealed class ReliefPlanCheckTests
{
    private static readonly Dictionary<string, ReliefItemSpec> Kit = Items(("water", 10, 0.01), ("tent", 20, 0.2));
    private static readonly ReliefWarehouse Depot = Warehouse("WH-A", East(0), 2, 100, ("water", 30), ("tent", 5));

    private static Allocation Row(string demand, string item, long quantity, int trucks) => new(demand, "WH-A", item, quantity, Now, Now.AddMinutes(40), 3, trucks);

    [Fact]
    public void A_plan_the_warehouse_can_carry_out_breaks_nothing()
    {
        // D1: 10 water (100 kg) on 1 truck; D2: 5 tents (100 kg, 1 m3) on 1 truck.
        Assert.Empty(ReliefPlanCheck.Breaches([Row("D1", "water", 10, 1), Row("D2", "tent", 5, 1)], [Depot], Kit));
        Assert.Empty(ReliefPlanCheck.Breaches([], [Depot], Kit));
    }

    [Fact]
    public void Each_thing_a_warehouse_cannot_do_is_named()
    {
        // A convoy whose rows say 1 truck each but carry 150 kg (two rows of one convoy joined without their trucks).
        var overloaded = ReliefPlanCheck.Breaches([Row("D1", "water", 10, 1), Row("D1", "water", 5, 1)], [Depot], Kit);
        Assert.Contains(overloaded, b => b.Contains("150 kg", StringComparison.Ordinal) && b.Contains("1 truck(s)", StringComparison.Ordinal));
        // Rows of one convoy with different truck counts.
        Assert.Contains(ReliefPlanCheck.Breaches([Row("D1", "water", 5, 1), Row("D1", "tent", 1, 2)], [Depot], Kit), b => b.Contains("different truck counts", StringComparison.Ordinal));
        // Three trucks out of a fleet of two, and more water than the depot holds.
        var over = ReliefPlanCheck.Breaches([Row("D1", "water", 10, 1), Row("D2", "water", 10, 1), Row("D3", "water", 11, 2)], [Depot], Kit);
        Assert.Contains("WH-A: 4 trucks sent, 2 free", over);
        Assert.Contains("WH-A: 31 water sent, 30 available", over);
        // An item or a warehouse the plan does not know.
        Assert.Contains(ReliefPlanCheck.Breaches([Row("D1", "rope", 1, 1)], [Depot], Kit), b => b.Contains("unknown item rope", StringComparison.Ordinal));
        Assert.Contains(ReliefPlanCheck.Breaches([Row("D1", "water", 1, 1) with { WarehouseId = "WH-Z" }], [Depot], Kit), b => b.StartsWith("WH-Z", StringComparison.Ordinal));
    }
}
