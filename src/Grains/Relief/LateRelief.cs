namespace HuaduDispatch.Grains.Relief;

/// <summary>
/// Relief that cannot keep the promise still goes out. The plan for the deadline comes first and is solved alone: most
/// priority-weighted people whose whole kit arrives by their deadline. Then, with the stock and trucks that plan leaves, a
/// second solve plans best-effort relief for the demands it cannot serve at all: those past their deadline (an incident
/// reported late, or the rest of a relief judged <c>Breached</c>) and those it sends nothing to (every warehouse too far,
/// or beaten to the stock and trucks by more urgent demands). Their deadline in that solve is their late limit (the end of the
/// standard's first 24 hours), so the same planner brings as many people's kits as it can by then, with the fewest ton-km.
/// </summary>
/// <remarks>
/// The late solve never takes anything the deadline plan uses, so the promise to the people who can still be reached is never
/// traded for late relief. Shortfalls stay those of the deadline plan for demands still before their deadline (what the
/// escalation to the city is about); a demand past its deadline gets the late solve's. A demand the deadline plan sends part of
/// its kit to waits for the rest until its deadline has passed, then is planned late: planning every such remainder at once
/// would make the second solve as large as the first during a surge, when the trucks are all used anyway.
/// </remarks>
public static class LateRelief
{
    /// <param name="lateUntil">Demand id → the end of its late relief; a demand absent or past it gets no late relief.</param>
    public static ReliefPlanResult Plan(IReliefPlanner planner, IReadOnlyList<ReliefDemandInput> demands,
        IReadOnlyDictionary<string, DateTimeOffset> lateUntil, IReadOnlyList<ReliefWarehouse> warehouses,
        IReadOnlyDictionary<string, ReliefItemSpec> items, DateTimeOffset now, IReadOnlyList<ReliefLoad>? inForce = null)
    {
        ArgumentNullException.ThrowIfNull(planner);
        ArgumentNullException.ThrowIfNull(demands);
        ArgumentNullException.ThrowIfNull(lateUntil);
        var onTime = demands.Where(d => d.Deadline > now).ToList();
        var onTimeIds = onTime.Select(d => d.DemandId).ToHashSet(StringComparer.Ordinal);
        var first = onTime.Count == 0 ? ReliefPlanResult.Empty : planner.Plan(onTime, warehouses, items, now, For(inForce, onTimeIds));

        var served = first.Allocations.Select(a => a.DemandId).ToHashSet(StringComparer.Ordinal);
        var late = new List<ReliefDemandInput>();
        foreach (var d in demands)
            if (!served.Contains(d.DemandId) && lateUntil.TryGetValue(d.DemandId, out var until) && until > now && until > d.Deadline)
                late.Add(d with { Deadline = until });
        if (late.Count == 0)
        {
            // Demands past their deadline with nothing to plan late are in no solve: nothing is short for them any more.
            return first;
        }

        var lateIds = late.Select(d => d.DemandId).ToHashSet(StringComparer.Ordinal);
        var second = planner.Plan(late, Left(warehouses, first.Allocations), items, now, For(inForce, lateIds));

        var covered = new Dictionary<string, int>(first.CoveredByDemand, StringComparer.Ordinal);
        foreach (var (id, people) in second.CoveredByDemand)
            if (!onTimeIds.Contains(id)) covered[id] = people;
        return new ReliefPlanResult(
            [.. first.Allocations, .. second.Allocations],
            [.. first.Shortfalls, .. second.Shortfalls.Where(s => !onTimeIds.Contains(s.DemandId))],
            first.PeopleCoveredWeighted, first.PeopleCovered, first.TonKm + second.TonKm)
        {
            CoveredByDemand = covered,
            Status = onTime.Count == 0 ? second.Status : first.Status,
            CoverageUpperBound = first.CoverageUpperBound,
            LatePeopleCovered = second.PeopleCovered,
        };
    }

    /// <summary>The warehouses with what <paramref name="used"/> takes out of their stock and fleets.</summary>
    public static IReadOnlyList<ReliefWarehouse> Left(IReadOnlyList<ReliefWarehouse> warehouses, IReadOnlyList<Allocation> used)
    {
        ArgumentNullException.ThrowIfNull(warehouses);
        ArgumentNullException.ThrowIfNull(used);
        var taken = used.GroupBy(a => (a.WarehouseId, a.ItemCode)).ToDictionary(g => g.Key, g => g.Sum(a => a.Quantity));
        // Trucks is the size of the whole (warehouse, demand) convoy, repeated on each of its rows.
        var trucks = used.GroupBy(a => (a.WarehouseId, a.DemandId)).GroupBy(g => g.Key.WarehouseId)
            .ToDictionary(g => g.Key, g => g.Sum(convoy => convoy.First().Trucks), StringComparer.Ordinal);
        return [.. warehouses.Select(w => w with
        {
            Trucks = Math.Max(0, w.Trucks - trucks.GetValueOrDefault(w.Id)),
            Available = w.Available.ToDictionary(kv => kv.Key, kv => Math.Max(0, kv.Value - taken.GetValueOrDefault((w.Id, kv.Key))), StringComparer.Ordinal),
        })];
    }

    private static List<ReliefLoad>? For(IReadOnlyList<ReliefLoad>? loads, HashSet<string> demandIds) =>
        loads?.Where(l => demandIds.Contains(l.DemandId)).ToList();
}
