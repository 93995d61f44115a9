using HuaduDispatch.Contracts;

namespace HuaduDispatch.Grains.Relief;

/// <summary>
/// Relief that cannot keep the promise still goes out. The plan for the deadline comes first and is solved alone: most
/// priority-weighted people whose whole kit arrives by their deadline. Then, with the stock and trucks that plan leaves, a
/// second solve plans best-effort relief for what it does not bring: the demands past their deadline (an incident reported
/// late, or the rest of a relief judged <c>Breached</c>), those it sends nothing to (every warehouse too far, or beaten to the
/// stock and trucks by more urgent demands), and the rest of those it serves in part (the other people, and the kit less what
/// it sends). Their deadline in that solve is their late limit (the end of the standard's first 24 hours), so the same planner
/// brings as many people's kits as it can by then, and of such plans the one whose kits arrive soonest
/// (<see cref="ReliefPlannerOptions.EarliestFirst"/>).
/// </summary>
/// <remarks>
/// The later solves (late relief, partial kits) each have the planner's smaller budget for them
/// (<see cref="IReliefPlanner.ForLaterSolves"/>). The late solve never takes anything the deadline plan uses, so the promise to the people who can still be reached is never
/// traded for late relief. Shortfalls stay those of the deadline plan for demands still before their deadline (what the
/// escalation to the city is about); a demand past its deadline gets the late solve's. Until the twenty-fourth session the rest
/// of a demand served in part waited until its deadline had passed before it was planned.
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

        var sentFirst = Sent(first.Allocations);
        var late = new List<ReliefDemandInput>();
        foreach (var d in demands)
        {
            if (!lateUntil.TryGetValue(d.DemandId, out var until) || until <= now || until <= d.Deadline) continue;
            // A demand the plan for the deadline serves in part: the rest is planned late now, not once the deadline has passed
            // (by then a slow warehouse's mobilisation alone would add hours to those people's wait).
            if (Rest(d, first.CoveredByDemand.GetValueOrDefault(d.DemandId), sentFirst) is { } rest) late.Add(rest with { Deadline = until });
        }
        if (late.Count == 0)
        {
            // Demands past their deadline with nothing to plan late are in no solve: nothing is short for them any more.
            return SentByDeadline(demands, now, PartialKits(planner, demands, lateUntil, warehouses, items, now, [], first, inForce, lateCovered: null));
        }

        var lateIds = late.Select(d => d.DemandId).ToHashSet(StringComparer.Ordinal);
        var second = planner.ForLaterSolves().Plan(late, Left(warehouses, first.Allocations), items, now, For(inForce, lateIds));

        // A demand before its deadline whose late convoys all arrive by that deadline is relieved in time after all: the plan for
        // the deadline, cut short by its budget on a surge, missed what the stock and trucks it left could do. Its people count
        // as covered by the deadline, and its shortfalls are the late solve's (the deadline plan's said its whole kit was short).
        var deadlineOf = demands.ToDictionary(d => d.DemandId, d => d.Deadline, StringComparer.Ordinal);
        var inTime = second.CoveredByDemand
            .Where(c => c.Value > 0 && onTimeIds.Contains(c.Key) && second.Allocations.Where(a => a.DemandId == c.Key).All(a => a.Eta <= deadlineOf[c.Key]))
            .Select(c => c.Key).ToHashSet(StringComparer.Ordinal);
        var inTimePeople = inTime.Sum(id => second.CoveredByDemand[id]);
        var inTimeWeighted = demands.Where(d => inTime.Contains(d.DemandId)).Sum(d => d.Priority * second.CoveredByDemand[d.DemandId]);

        // Before its deadline a demand counts the people relieved by it (the late solve's only when they are in time); past it,
        // those the late solve relieves.
        var covered = new Dictionary<string, int>(first.CoveredByDemand, StringComparer.Ordinal);
        foreach (var (id, people) in second.CoveredByDemand)
            if (!onTimeIds.Contains(id)) covered[id] = people;
            else if (inTime.Contains(id)) covered[id] = first.CoveredByDemand.GetValueOrDefault(id) + people;
        // A demand before its deadline shows the deadline plan's shortfalls (often TooFar for everything); the late solve's
        // KitIncomplete lines are what partial kits can still send it, as they would once its deadline had passed.
        var heldBack = second.Shortfalls.Where(s => s.Reason == ShortfallReason.KitIncomplete && onTimeIds.Contains(s.DemandId) && !inTime.Contains(s.DemandId)).ToList();
        // The rest of a demand served in part may go on a route the deadline plan uses: one convoy, on the trucks its load needs.
        return SentByDeadline(demands, now, PartialKits(planner, demands, lateUntil, warehouses, items, now, heldBack, inForce: inForce, lateCovered: second.CoveredByDemand, plan: new ReliefPlanResult(
            Combine(first.Allocations, second.Allocations, warehouses, items),
            [.. first.Shortfalls.Where(s => !inTime.Contains(s.DemandId)), .. second.Shortfalls.Where(s => !onTimeIds.Contains(s.DemandId) || inTime.Contains(s.DemandId))],
            first.PeopleCoveredWeighted + inTimeWeighted, first.PeopleCovered + inTimePeople, first.TonKm + second.TonKm)
        {
            CoveredByDemand = covered,
            Status = onTime.Count == 0 ? second.Status : first.Status,
            CoverageUpperBound = first.CoverageUpperBound,
            LatePeopleCovered = second.PeopleCovered - inTimePeople,
            KeptInForce = Sum(first.KeptInForce, second.KeptInForce),
        }));
    }

    /// <summary>
    /// A demand before its deadline shows the deadline plan's shortfalls, and that plan does not know what the later solves
    /// send: a convoy of the late solve or of partial kits that arrives by the deadline all the same (its kit short of an item
    /// that only comes late, or kept from the plan in force). Each line then lacks only what no convoy of the whole plan brings
    /// by the deadline, and goes when that is nothing. Before the twenty-seventh session such lines said "0 sent" for items the
    /// same plan delivered in time, and the request to the city asked for them (an exploratory test).
    /// </summary>
    private static ReliefPlanResult SentByDeadline(IReadOnlyList<ReliefDemandInput> demands, DateTimeOffset now, ReliefPlanResult plan)
    {
        var onTime = demands.Where(d => d.Deadline > now).ToDictionary(d => d.DemandId, StringComparer.Ordinal);
        if (onTime.Count == 0 || plan.Shortfalls.Count == 0) return plan;
        var inTime = plan.Allocations.Where(a => onTime.TryGetValue(a.DemandId, out var d) && a.Eta <= d.Deadline)
            .GroupBy(a => (a.DemandId, a.ItemCode)).ToDictionary(g => g.Key, g => g.Sum(a => a.Quantity));
        var changed = false;
        var shortfalls = new List<Shortfall>();
        foreach (var s in plan.Shortfalls)
        {
            if (!onTime.TryGetValue(s.DemandId, out var d) || !inTime.TryGetValue((s.DemandId, s.ItemCode), out var sent)
                || d.Kit.GetValueOrDefault(s.ItemCode) - sent >= s.Missing)
            {
                shortfalls.Add(s);
                continue;
            }
            changed = true;
            var missing = d.Kit.GetValueOrDefault(s.ItemCode) - sent;
            if (missing > 0) shortfalls.Add(s with { Missing = missing, Detail = $"{sent} arriving by the deadline in all; {s.Detail}" });
        }
        return changed ? plan with { Shortfalls = shortfalls } : plan;
    }

    /// <summary>
    /// Partial kits: what the solves above hold back only because another item of the kit is short (<c>KitIncomplete</c>) is
    /// sent anyway from what they leave, by the same planner: water, food and blankets do not wait for one bottle of
    /// disinfectant. Nobody counts as relieved by them (the whole-kit rule stands); the <c>KitIncomplete</c> lines shrink by
    /// what is sent, and go when all of it is. Convoys on a route an earlier solve already uses join that convoy (same
    /// departure and arrival), on the trucks the whole load needs (<see cref="Combine"/>).
    /// </summary>
    /// <param name="heldBack">KitIncomplete lines of the late solve that the plan does not show (demands before their deadline
    /// show the deadline plan's shortfalls); sent as partial kits like the plan's own.</param>
    /// <param name="lateCovered">People the late solve relieves, per demand (null without a late solve): with the plan's own,
    /// which demands the plan relieves nobody at, whose every unit is a partial kit.</param>
    /// <param name="inForce">The plan in force, whose loads to these demands this solve is given like the others: without it
    /// each re-plan drew the partial kits anew, and on a node most convoys a re-plan withdrew were partial kits swapped for
    /// others that relieved nobody more (twenty-sixth session).</param>
    private static ReliefPlanResult PartialKits(IReliefPlanner planner, IReadOnlyList<ReliefDemandInput> demands,
        IReadOnlyDictionary<string, DateTimeOffset> lateUntil, IReadOnlyList<ReliefWarehouse> warehouses,
        IReadOnlyDictionary<string, ReliefItemSpec> items, DateTimeOffset now, IReadOnlyList<Shortfall> heldBack, ReliefPlanResult plan,
        IReadOnlyList<ReliefLoad>? inForce, IReadOnlyDictionary<string, int>? lateCovered)
    {
        // The plan's partial-kit units: every unit to a demand the plan relieves nobody at (by its deadline or late), and the
        // partial-kit solve's to the others (the rest of a demand served in part). Until the twenty-seventh session only the
        // partial-kit solve's counted, and partial kits the late solve kept from the plan in force read 0.
        bool Nobody(string id) => plan.CoveredByDemand.GetValueOrDefault(id) == 0 && (lateCovered?.GetValueOrDefault(id) ?? 0) == 0;
        ReliefPlanResult Counted(ReliefPlanResult result, IReadOnlyList<Allocation> partialKits) => result with
        {
            PartialKitUnits = result.Allocations.Where(a => Nobody(a.DemandId)).Sum(a => a.Quantity)
                + partialKits.Where(a => !Nobody(a.DemandId)).Sum(a => a.Quantity),
        };
        // What a line lacks, but never more than the kit less what the plan already sends (the late solve's whole kits included).
        var allocated = Sent(plan.Allocations);
        var kitOf = demands.ToDictionary(d => d.DemandId, d => d.Kit, StringComparer.Ordinal);
        var incomplete = plan.Shortfalls.Concat(heldBack)
            .Where(s => s.Reason == ShortfallReason.KitIncomplete && s.Missing > 0 && kitOf.ContainsKey(s.DemandId))
            .GroupBy(s => (s.DemandId, s.ItemCode))
            .Select(g => (g.Key.DemandId, g.Key.ItemCode, Want: Math.Min(g.Max(s => s.Missing),
                kitOf[g.Key.DemandId].GetValueOrDefault(g.Key.ItemCode) - allocated.GetValueOrDefault(g.Key))))
            .Where(s => s.Want > 0).GroupBy(s => s.DemandId)
            .ToDictionary(g => g.Key, g => (IReadOnlyDictionary<string, long>)g.ToDictionary(s => s.ItemCode, s => s.Want, StringComparer.Ordinal),
                StringComparer.Ordinal);
        if (incomplete.Count == 0) return Counted(plan, []);
        // Only the warehouses with a truck left can send anything (a smaller model; its shortfalls are not used).
        var remaining = Left(warehouses, plan.Allocations);
        var left = remaining.Where(w => w.Trucks > 0).ToList();
        if (left.Count == 0) return Counted(plan, []);
        // An item no such warehouse holds any more (the late solve, which comes first, took the last of it for people past their
        // deadline) is out of the partial kit: with it in, the kit could complete nobody's, and nothing at all was sent
        // (an exploratory test saw a new incident get no water, food or blankets for want of 17 lamps). Its line then says what
        // it lacks, stock or trucks (no longer KitIncomplete), so the city is asked for it.
        var gone = new HashSet<(string DemandId, string ItemCode)>();
        var wanted = new List<ReliefDemandInput>();
        foreach (var d in demands)
        {
            if (!incomplete.TryGetValue(d.DemandId, out var kit)) continue;
            var until = lateUntil.TryGetValue(d.DemandId, out var late) && late > d.Deadline ? late : d.Deadline;
            if (until <= now) continue;
            var held = kit.Where(k => left.Any(w => w.Available.GetValueOrDefault(k.Key) > 0)).ToDictionary(k => k.Key, k => k.Value, StringComparer.Ordinal);
            foreach (var item in kit.Keys.Where(item => !held.ContainsKey(item))) gone.Add((d.DemandId, item));
            if (held.Count > 0)
                wanted.Add(d with { Kit = held, People = Math.Max(1, d.People - plan.CoveredByDemand.GetValueOrDefault(d.DemandId)), Deadline = until });
        }
        var partial = wanted.Count == 0 ? ReliefPlanResult.Empty
            : planner.ForLaterSolves().Plan(wanted, left, items, now, For(inForce, [.. wanted.Select(d => d.DemandId)]));
        if (partial.Allocations.Count == 0 && gone.Count == 0) return Counted(plan, []);

        var sent = partial.Allocations.GroupBy(a => (a.DemandId, a.ItemCode)).ToDictionary(g => g.Key, g => g.Sum(a => a.Quantity));
        var shortfalls = new List<Shortfall>();
        foreach (var s in plan.Shortfalls)
        {
            if (s.Reason == ShortfallReason.KitIncomplete && gone.Contains((s.DemandId, s.ItemCode)))
                shortfalls.Add(remaining.Any(w => w.Available.GetValueOrDefault(s.ItemCode) > 0)
                    ? s with { Reason = ShortfallReason.NoTrucks, Detail = $"no truck left at the warehouses that still hold it: the plan's other convoys have them; {s.Detail}" }
                    : s with { Reason = ShortfallReason.StockShort, Detail = $"none left: the plan's other convoys take all of it; {s.Detail}" });
            else if (s.Reason != ShortfallReason.KitIncomplete || !sent.TryGetValue((s.DemandId, s.ItemCode), out var quantity)) shortfalls.Add(s);
            else if (s.Missing > quantity) shortfalls.Add(s with { Missing = s.Missing - quantity, Detail = $"{quantity} sent anyway as part of partial kits; {s.Detail}" });
        }
        return Counted(new ReliefPlanResult(Combine(plan.Allocations, partial.Allocations, warehouses, items), shortfalls, plan.PeopleCoveredWeighted, plan.PeopleCovered,
            plan.TonKm + partial.TonKm)
        {
            CoveredByDemand = plan.CoveredByDemand,
            Status = plan.Status,
            CoverageUpperBound = plan.CoverageUpperBound,
            LatePeopleCovered = plan.LatePeopleCovered,
            KeptInForce = plan.KeptInForce,
        }, partial.Allocations);
    }

    /// <summary>
    /// The rows of two plans over disjoint stock and trucks, as one: a (warehouse, demand) convoy in both is one convoy (its
    /// departure and arrival are the same in both: same warehouse, same route, same moment) on the trucks its whole load needs,
    /// never more than the two plans' together. Two small loads share a truck: the sum would hold a truck the load does not
    /// need, which may be the warehouse's last.
    /// </summary>
    public static IReadOnlyList<Allocation> Combine(IReadOnlyList<Allocation> a, IReadOnlyList<Allocation> b,
        IReadOnlyList<ReliefWarehouse> warehouses, IReadOnlyDictionary<string, ReliefItemSpec> items)
    {
        ArgumentNullException.ThrowIfNull(warehouses);
        ArgumentNullException.ThrowIfNull(items);
        static Dictionary<(string, string), int> TrucksOf(IReadOnlyList<Allocation> rows) =>
            rows.GroupBy(r => (r.WarehouseId, r.DemandId)).ToDictionary(g => g.Key, g => g.First().Trucks);
        var (ta, tb) = (TrucksOf(a), TrucksOf(b));
        var byId = warehouses.ToDictionary(w => w.Id, StringComparer.Ordinal);
        var trucks = new Dictionary<(string, string), int>();
        foreach (var convoy in a.Concat(b).GroupBy(r => (r.WarehouseId, r.DemandId)))
        {
            var both = ta.GetValueOrDefault(convoy.Key) + tb.GetValueOrDefault(convoy.Key);
            if (!ta.ContainsKey(convoy.Key) || !tb.ContainsKey(convoy.Key) || !byId.TryGetValue(convoy.Key.WarehouseId, out var wh)
                || convoy.Any(r => !items.ContainsKey(r.ItemCode)))
            {
                trucks[convoy.Key] = both;
                continue;
            }
            var needed = ReliefProblem.Trips(wh, convoy.Sum(r => r.Quantity * items[r.ItemCode].WeightKg), convoy.Sum(r => r.Quantity * items[r.ItemCode].VolumeM3));
            trucks[convoy.Key] = Math.Min(both, needed);
        }
        return [.. a.Concat(b).Select(r => r with { Trucks = trucks[(r.WarehouseId, r.DemandId)] })];
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

    /// <summary>Both solves' plans in force kept (<see cref="ReliefPlanResult.KeptInForce"/>), together; null when neither kept one.</summary>
    private static ReliefPlanKeptInForce? Sum(ReliefPlanKeptInForce? a, ReliefPlanKeptInForce? b) => a is null ? b : b is null ? a
        : new() { Convoys = a.Convoys + b.Convoys, WeightedPeopleForgone = a.WeightedPeopleForgone + b.WeightedPeopleForgone, PeopleForgone = a.PeopleForgone + b.PeopleForgone };

    private static Dictionary<(string DemandId, string ItemCode), long> Sent(IReadOnlyList<Allocation> allocations) =>
        allocations.GroupBy(a => (a.DemandId, a.ItemCode)).ToDictionary(g => g.Key, g => g.Sum(a => a.Quantity));

    /// <summary>
    /// What <paramref name="demand"/> still needs once the plan for the deadline covers <paramref name="covered"/> of its people
    /// with what it sends: the other people, and the kit less what is sent. Null when nothing is left to plan.
    /// </summary>
    private static ReliefDemandInput? Rest(ReliefDemandInput demand, int covered, IReadOnlyDictionary<(string DemandId, string ItemCode), long> sent)
    {
        if (covered == 0 && !demand.Kit.Keys.Any(i => sent.ContainsKey((demand.DemandId, i)))) return demand;
        var people = demand.People - covered;
        if (people <= 0) return null;
        var kit = demand.Kit.Select(kv => (kv.Key, Left: kv.Value - sent.GetValueOrDefault((demand.DemandId, kv.Key)))).Where(kv => kv.Left > 0)
            .ToDictionary(kv => kv.Key, kv => kv.Left, StringComparer.Ordinal);
        return kit.Count == 0 ? null : demand with { People = people, Kit = kit };
    }

    private static List<ReliefLoad>? For(IReadOnlyList<ReliefLoad>? loads, HashSet<string> demandIds) =>
        loads?.Where(l => demandIds.Contains(l.DemandId)).ToList();
}
