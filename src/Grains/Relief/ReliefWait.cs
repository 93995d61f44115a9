namespace HuaduDispatch.Grains.Relief;

/// <summary>
/// How long the people a plan relieves wait for their kit: for each demand, priority × people covered × the mean, over the
/// items the plan sends it, of the minutes from <c>now</c> until the last convoy bringing that item arrives. A re-plan that
/// covers as many people as the plan in force replaces it only if its people wait no longer by this measure
/// (<see cref="OptimalReliefPlanner"/>): fewer ton-km is no reason to move water from a convoy on its way to one arriving
/// later.
/// </summary>
public static class ReliefWait
{
    /// <summary>Weighted person-minutes of <paramref name="plan"/> (see the class); demands it covers nobody at count 0.</summary>
    public static double PersonMinutes(ReliefPlanResult plan, IReadOnlyDictionary<string, double> priorities, DateTimeOffset now)
    {
        var total = 0.0;
        foreach (var demand in plan.Allocations.Where(a => a.Quantity > 0).GroupBy(a => a.DemandId))
        {
            var covered = plan.CoveredByDemand.GetValueOrDefault(demand.Key);
            if (covered <= 0) continue;
            var minutes = demand.GroupBy(a => a.ItemCode).Average(item => Math.Max(0, (item.Max(a => a.Eta) - now).TotalMinutes));
            total += priorities.GetValueOrDefault(demand.Key, 1) * covered * minutes;
        }
        return total;
    }

    /// <summary>
    /// Whether <paramref name="plan"/> covers the same weighted people as <paramref name="other"/> and makes them wait longer
    /// (by more than a millionth, so that rounding never decides).
    /// </summary>
    public static bool LaterForAsMany(ReliefPlanResult plan, ReliefPlanResult other, IReadOnlyDictionary<string, double> priorities,
        DateTimeOffset now)
    {
        if (Math.Abs(plan.PeopleCoveredWeighted - other.PeopleCoveredWeighted) > 1e-9 * Math.Max(1, other.PeopleCoveredWeighted)) return false;
        var wait = PersonMinutes(plan, priorities, now);
        var otherWait = PersonMinutes(other, priorities, now);
        return wait > otherWait + 1e-6 * Math.Max(1, otherWait);
    }
}
