using HuaduDispatch.Contracts;

namespace HuaduDispatch.Grains.Relief;

/// <summary>The district plan in brief, as the coordinator pushes it to consoles (kind <c>reliefPlan</c>).</summary>
public static class ReliefPlanSummaries
{
    /// <summary>The figures of <paramref name="plan"/> (none when null: a failure before any plan) and the latest failure.</summary>
    public static ReliefPlanSummary Of(ReliefPlan? plan, ReliefSolveFailure? failure) => plan is null
        ? new ReliefPlanSummary { LastSolveFailure = failure }
        : new ReliefPlanSummary
        {
            PlanId = plan.PlanId, ComputedAt = plan.ComputedAt, Solver = plan.Solver, Demands = plan.Demands,
            PeopleCovered = plan.PeopleCovered, PeopleCoveredWeighted = plan.PeopleCoveredWeighted, TonKm = plan.TonKm,
            PeopleCoveredLate = plan.PeopleCoveredLate,
            Shipments = plan.Allocations.Select(a => a.ShipmentId).Distinct(StringComparer.Ordinal).Count(),
            Shortfalls = plan.Shortfalls.Count,
            ShortfallsByReason = plan.Shortfalls.GroupBy(s => s.Reason, StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal),
            IncidentsShort = [.. plan.Shortfalls.Select(s => s.IncidentId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
            Escalations = plan.Escalations.Count,
            TrucksInUse = plan.TrucksInUse.Sum(t => t.Trucks),
            LastSolveFailure = failure,
        };
}
