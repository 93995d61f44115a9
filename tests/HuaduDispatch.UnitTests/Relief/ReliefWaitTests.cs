using HuaduDispatch.Grains.Relief;
using static HuaduDispatch.UnitTests.Relief.ReliefFixtures;

namespace HuaduDispatch.UnitTests.Relief;

public sealed class ReliefWaitTests
{
    private static Allocation Line(string demand, string warehouse, string item, long quantity, int etaMinutes) =>
        new(demand, warehouse, item, quantity, Now, Now.AddMinutes(etaMinutes), 5, 1);

    private static ReliefPlanResult Plan(double weighted, Dictionary<string, int> covered, params Allocation[] lines) =>
        new(lines, [], weighted, covered.Values.Sum(), 0) { CoveredByDemand = covered };

    private static readonly Dictionary<string, double> Priorities = new() { ["A"] = 2, ["B"] = 1 };

    [Fact]
    public void Person_minutes_weigh_each_item_by_its_last_convoy_and_leave_out_demands_covered_for_nobody()
    {
        var plan = Plan(100, new() { ["A"] = 40, ["B"] = 0 },
            Line("A", "W1", "water", 30, 60), Line("A", "W2", "water", 20, 90), // water: the last arrives at 90
            Line("A", "W1", "food", 40, 60),                                    // food at 60
            Line("B", "W1", "water", 10, 30));                                  // B: nobody covered

        // A: priority 2 × 40 people × (90 + 60) / 2 minutes.
        Assert.Equal(2 * 40 * 75.0, ReliefWait.PersonMinutes(plan, Priorities, Now), 9);
    }

    [Fact]
    public void A_plan_is_later_for_as_many_only_when_it_covers_the_same_weighted_people_and_they_wait_longer()
    {
        var soon = Plan(80, new() { ["A"] = 40 }, Line("A", "W1", "water", 40, 60));
        var later = Plan(80, new() { ["A"] = 40 }, Line("A", "W2", "water", 40, 88));
        var laterForMore = Plan(82, new() { ["A"] = 41 }, Line("A", "W2", "water", 41, 88));

        Assert.True(ReliefWait.LaterForAsMany(later, soon, Priorities, Now));
        Assert.False(ReliefWait.LaterForAsMany(soon, later, Priorities, Now));
        Assert.False(ReliefWait.LaterForAsMany(soon, soon, Priorities, Now)); // a tie is not later
        Assert.False(ReliefWait.LaterForAsMany(laterForMore, soon, Priorities, Now)); // more people: coverage decides, not the wait
    }
}
