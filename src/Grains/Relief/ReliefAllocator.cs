using Google.OrTools.LinearSolver;
using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Dispatch.Recommendation;

namespace HuaduDispatch.Grains.Relief;

/// <summary>
/// Relief allocation (救灾物资统一调拨) as a mixed-integer program solved by OR-Tools (SCIP by default, CBC by option): exact on
/// problems it can prove within <see cref="ReliefPlannerOptions.TimeLimit"/>, and on a district-wide surge the best plan found with
/// a proven bound (<see cref="ReliefPlanResult.CoverageUpperBound"/>), never below the greedy baseline or what still holds of the
/// plan in force that a re-plan replaces.
/// </summary>
/// <remarks>
/// <para>Model. For each demand d with people, an integer x_d ∈ [0, People_d] counts the people covered; for each route w → d that
/// arrives by d's deadline (now + mobilisation + loading + team ETA model with d's hazard slowdown) and each item i of d's kit
/// that w holds, an integer q[w,d,i] of units; for each such route an integer t[w,d] of trucks.</para>
/// <list type="bullet">
/// <item>Whole kits: Σ_w q[w,d,i] ≥ (kit_di ÷ People_d) · x_d for every item; with integer q this is Σ_w q ≥ ceil(kit_di · x_d ÷ People_d),
/// the kit rounded up for x_d people. Also Σ_w q[w,d,i] ≤ kit_di (never more than the whole kit; this only tightens).</item>
/// <item>Stock: Σ_d q[w,d,i] ≤ Available[w,i].</item>
/// <item>Loads: Σ_i weight_i · q[w,d,i] ≤ capacityKg_w · t[w,d] and the same for volume.</item>
/// <item>Fleet: Σ_d t[w,d] ≤ Trucks_w — one trip per truck in the window (a return and a second load do not fit in 3 hours
/// across the district); a trip serves one demand.</item>
/// </list>
/// <para>Objective, lexicographic, in two solves (no big-M weight, which could not be proven dominating for arbitrary real
/// priorities): phase 1 maximises Σ priority_d · x_d (relative gap <see cref="ReliefPlannerOptions.CoverageRelativeGap"/>, 0 by
/// default), starting from the floor (the greedy plan, or the plan in force carried on when that covers as much); phase 2
/// keeps Σ priority_d · x_d ≥ z₁ − ε with ε = min(10⁻⁶ · max(1, z₁), priority_min ÷ 2) — less than any one person — and minimises
/// ton-km Σ weight_i ÷ 1000 · km(w,d) · q[w,d,i], starting from the phase-1 plan. Phase 2 stops at <see cref="ReliefPlannerOptions.TonKmRelativeGap"/>.</para>
/// <para>Large problems (more than <see cref="ReliefPlannerOptions.ExactModelLimit"/> item flows, e.g. 50 demands × 30 warehouses ×
/// 15 items) cannot be proven in seconds, and SCIP finds few plans in them: its LP spreads each demand's kit over a dozen
/// warehouses in fractions of a truck. They go in four steps. (1) The aggregate relaxation (<see cref="AggregateBound"/>, GLOP,
/// milliseconds) gives the proven bound and the demands worth serving (those it covers). (2) An LP over those demands' routes with
/// one-truck rows (q ≤ min(stock, kit) · t: any flow on a route needs a whole truck there, valid for integer trucks) keeps each
/// demand's kit on few routes; its trucks, rounded two ways (<see cref="TruckRounding"/>, the better kept), start (3) a local
/// search that moves single trucks and judges each move by the flow LP for fixed trucks (<see cref="TruckSearch"/>); its plan is
/// made whole units by <see cref="WholeUnits"/>. (4) The full integer model with at most those trucks per route, started from that
/// plan, fixes the units (both phases). The result is <see cref="ReliefPlanStatus.Feasible"/> unless it reaches the bound, and
/// never below the floor.</para>
/// <para>On both paths a re-plan also searches near the plan in force (<see cref="Near"/>: the truck search started from its
/// trucks), and commits the result only if it covers enough more people than that plan, or the plan in force carried on, for the
/// convoys it withdraws (<see cref="ReliefPlannerOptions.GainPerWithdrawnConvoy"/>).</para>
/// <para>The solver's values are rounded to integers and the plan is rebuilt from the shipments alone (coverage, trucks, shortfalls)
/// by <see cref="ReliefProblem.Assemble"/>, which also checks stock, fleet and deadlines, so a solver tolerance can never hand out an
/// infeasible plan. Warehouses are sorted by id before the model is built, so the answer does not depend on their order.</para>
/// </remarks>
public sealed class OptimalReliefPlanner(TravelTimeModel travel, ReliefPlannerOptions options) : IReliefPlanner
{
    private readonly TravelTimeModel _travel = travel ?? throw new ArgumentNullException(nameof(travel));
    private readonly ReliefPlannerOptions _options = Checked(options);
    private OptimalReliefPlanner? _later;

    public ReliefPlannerOptions Options => _options;

    /// <summary>
    /// The same planner with <see cref="ReliefPlannerOptions.LaterSolvesShare"/> of the budget, and the kits that arrive soonest
    /// among plans covering as many people (<see cref="ReliefPlannerOptions.EarliestFirst"/>).
    /// </summary>
    public IReliefPlanner ForLaterSolves() => _options.EarliestFirst ? this
        : _later ??= new OptimalReliefPlanner(_travel, _options with
        {
            TimeLimit = _options.LaterSolvesShare >= 1 ? _options.TimeLimit : _options.TimeLimit * _options.LaterSolvesShare,
            EarliestFirst = true,
        });

    public DateTimeOffset? Arrival(ReliefWarehouse warehouse, ReliefDemandInput demand, DateTimeOffset now) =>
        ReliefProblem.Arrival(warehouse, demand, now, _travel, _options.Loading).Arrival;

    public ReliefPlanResult Plan(IReadOnlyList<ReliefDemandInput> demands, IReadOnlyList<ReliefWarehouse> warehouses,
        IReadOnlyDictionary<string, ReliefItemSpec> items, DateTimeOffset now, IReadOnlyList<ReliefLoad>? inForce = null)
    {
        var problem = ReliefProblem.Create(demands, warehouses, items, now, _travel, _options);
        var budget = new Budget(_options.TimeLimit);
        // The floor of the answer, even when a time limit cuts the search short, and the start of the search: the better of the
        // greedy plan and the plan in force carried on. So a re-plan never covers fewer people than keeping the plan in force
        // would, though a surge's budget may end its search anywhere; and it withdraws convoys in force only for enough more
        // people (Steady).
        var (floor, baseline, carried) = Floor(problem, inForce);

        if (CandidateCount(problem) <= _options.ExactModelLimit)
        {
            var model = Build(problem, _options.Solver, null, null, integerFlows: true);
            if (model is null) return Nothing(problem);
            var near = Near(problem, carried, [.. Enumerable.Repeat(true, problem.Routes.Length)], budget);
            // The better of the floor and the plan near the plan in force starts the solve.
            var hint = near is { } n && n.Assembled.PeopleCoveredWeighted > baseline.PeopleCoveredWeighted ? n.Plan : floor;
            using (model.Solver) return Steady(problem, carried, TwoPhases(problem, model, hint, knownBound: null, budget), near?.Assembled);
        }

        // A district-wide surge: too big to prove (see the remarks for the four steps, and Repair for the last).
        budget.Reserve(RepairShare);
        var (bound, aggregateCovered) = Aggregate(problem);
        var candidates = new bool[problem.Routes.Length];
        for (var r = 0; r < candidates.Length; r++) candidates[r] = aggregateCovered[problem.Routes[r].Demand] > 1e-6;
        var nearPlan = Near(problem, carried, [.. candidates.Select((c, r) => c || carried?.Plan[r] is not null)], budget)?.Assembled;
        var (trucks, start, best) = (TrucksOf(problem, floor), floor, baseline); // the best whole plan so far, assembled
        var modelBuild = TimeSpan.Zero; // how long the one-truck LP's model took to build (the longer of two): the yardstick of StepCost
        // Two starts: the one-truck LP without, then with, the rows of one-truck warehouses. They differ only there, but their
        // vertices round differently, and neither start is better on every surge (of the benchmark's seeds, 2026 and 99 do better
        // from the first, 7 and 42 from the second), so both are searched and the better plan is kept. One after the other as
        // time allows, or side by side (ParallelStarts), each with the whole budget.
        (int[] Searched, long[]?[] Plan, ReliefPlanResult Assembled, TimeSpan Build)? Start(bool singleTruckRows)
        {
            var (lpTrucks, build) = OneTruckLp(problem, candidates, singleTruckRows, budget);
            // An LP cut off before it had a point (at 500 ms, seed 42's needs 520 to 840 ms) gives no start: the first search then
            // starts from the floor's trucks (greedy's, or the plan in force's), whose flows the search's first solve already improves.
            if (lpTrucks is null && singleTruckRows) return null;
            // The search runs even when its share is short: its first solve, the rounded LP's flows, is most of what it gains.
            using var flows = new TruckFlows(problem, candidates);
            var rounded = lpTrucks is null ? TrucksOf(problem, floor)
                : TruckRounding.Better(flows, TruckRounding.ByFraction(problem, lpTrucks), TruckRounding.PerDemand(problem, lpTrucks));
            var searched = TruckSearch.Improve(problem, flows, rounded, budget.Share(SearchShare(singleTruckRows, budget.Left)));
            var plan = flows.WholePlan(searched);
            return (searched, plan, problem.Assemble(plan, ReliefPlanStatus.Feasible), build);
        }
        var starts = new List<(int[] Searched, long[]?[] Plan, ReliefPlanResult Assembled, TimeSpan Build)?>();
        if (_options.ParallelStarts)
        {
            // The second start on a thread of its own (not the pool's: a solve holds its thread for the whole budget), which
            // inherits this thread's scheduling priority (PlannerThread); the first on this one.
            (int[], long[]?[], ReliefPlanResult, TimeSpan)? second = null;
            Exception? failed = null;
            var other = new Thread(() =>
            {
                try { second = Start(true); }
                catch (Exception e) { failed = e; }
            }) { IsBackground = true, Name = "relief-planner-2" };
            other.Start();
            (int[], long[]?[], ReliefPlanResult, TimeSpan)? first;
            try { first = Start(false); }
            finally { other.Join(); } // never leave the second start running past this call
            if (failed is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failed);
            starts.Add(first);
            starts.Add(second);
        }
        else
        {
            starts.Add(Start(false));
            // The second start only with a third of the budget left: an LP cut short is time the completion lacks.
            if (budget.Share(1) >= _options.TimeLimit / 3) starts.Add(Start(true));
        }
        foreach (var done in starts)
        {
            if (done is not { } s) continue;
            if (s.Build > modelBuild) modelBuild = s.Build;
            if (s.Assembled.PeopleCoveredWeighted > best.PeopleCoveredWeighted) (trucks, start, best) = (s.Searched, s.Plan, s.Assembled);
        }
        var bestSoFar = best with { CoverageUpperBound = Math.Max(best.PeopleCoveredWeighted, bound + EmptyKits(problem)) };
        // The completion (a model build and SCIP, whose presolve overruns a short limit) only with time for it: otherwise the
        // best whole plan so far is the answer, and the budget is kept.
        if (budget.Left < StepCost(modelBuild)) return Steady(problem, carried, Repair(problem, demands, warehouses, items, now, bestSoFar, budget, modelBuild), nearPlan);
        // Where no LP had a point within the budget, the search started from the floor's trucks.
        var completion = Build(problem, _options.Solver, null, trucks, integerFlows: true);
        if (completion is null) return Steady(problem, carried, Repair(problem, demands, warehouses, items, now, bestSoFar, budget, modelBuild), nearPlan);
        ReliefPlanResult result;
        using (completion.Solver) result = TwoPhases(problem, completion, start, bound, budget);
        return Steady(problem, carried, Repair(problem, demands, warehouses, items, now,
            result.PeopleCoveredWeighted >= bestSoFar.PeopleCoveredWeighted ? result : bestSoFar with { CoverageUpperBound = result.CoverageUpperBound },
            budget, modelBuild), nearPlan);
    }

    /// <summary>
    /// Of the answer, the plan near the plan in force (<paramref name="near"/>, see <see cref="Near"/>) and the plan in force
    /// carried on (<paramref name="carried"/>), the one with the most weighted people less
    /// <see cref="ReliefPlannerOptions.GainPerWithdrawnConvoy"/> for each route of the plan in force it drops (each a convoy the
    /// coordinator would withdraw). So the answer replaces the plan in force only for that much more per convoy. In the plan
    /// for the deadline only routes to a demand the plan in force carried on covers count:
    /// a convoy that relieves nobody (its kit short of another item) is not worth keeping. In the later solves
    /// (<see cref="ReliefPlannerOptions.EarliestFirst"/>: late relief and partial kits) every route counts: there a convoy that
    /// completes nobody's kit is what the demand gets, and on a node surge partial kits were otherwise swapped each re-plan
    /// for others no better (twenty-sixth session). Routes the answer keeps with other
    /// loads are amended, not withdrawn, and do not count; but an answer that covers the same people as the plan kept and
    /// makes them wait longer (<see cref="ReliefWait"/>) does not replace it, since its loads moved for fewer ton-km. A plan that covers as many but drops convoys (another optimum, or
    /// fewer ton-km) does not replace the plan in force either, unless the setting is 0.
    /// </summary>
    private ReliefPlanResult Steady(ReliefProblem problem, Carried? carried, ReliefPlanResult answer, ReliefPlanResult? near = null)
    {
        if (carried is not { } c) return answer;
        int Dropped(ReliefPlanResult plan)
        {
            var sent = plan.Allocations.Select(a => (a.WarehouseId, a.DemandId)).ToHashSet();
            return c.InForceRoutes.Count(r =>
            {
                var demand = problem.Demands[problem.Routes[r].Demand].DemandId;
                return (_options.EarliestFirst || c.Assembled.CoveredByDemand.GetValueOrDefault(demand) > 0)
                    && !sent.Contains((problem.Warehouses[problem.Routes[r].Warehouse].Id, demand));
            });
        }
        // Each plan's weighted people less the setting for each convoy of the plan in force it withdraws; the best wins. On a tie
        // the answer wins (as before the plan near the plan in force existed) unless its people wait longer (below), and the
        // plan near it does not replace the plan in force (its flows may amend convoys for nothing). Neither the plan in force nor the plan near it is kept below the
        // floor.
        double Score(ReliefPlanResult plan, int dropped) => plan.PeopleCoveredWeighted - _options.GainPerWithdrawnConvoy * dropped;
        (ReliefPlanResult Plan, int Drops)? chosen = c.Assembled.PeopleCoveredWeighted >= c.Floor - 1e-9 ? (c.Assembled, 0) : null;
        if (near is not null && near.PeopleCoveredWeighted >= c.Floor - 1e-9 && Dropped(near) is var nearDrops
            && (chosen is not { } k || Score(near, nearDrops) > Score(k.Plan, k.Drops) + 1e-9))
            chosen = (near, nearDrops);
        var answerDrops = Dropped(answer);
        if (chosen is not var (kept, drops)) return answer;
        var (answerScore, keptScore) = (Score(answer, answerDrops), Score(kept, drops));
        // On a tie the answer wins unless it covers the same people later (ReliefWait): its fewer ton-km may come from a
        // warehouse nearer but slower to mobilise, and a dispatcher would not move loads off convoys in force for that.
        if (answerScore > keptScore + 1e-9) return answer;
        if (answerScore >= keptScore - 1e-9
            && !ReliefWait.LaterForAsMany(answer, kept, problem.Demands.ToDictionary(d => d.DemandId, d => d.Priority), problem.Now))
            return answer;
        var gain = answer.PeopleCoveredWeighted - kept.PeopleCoveredWeighted;
        return kept with
        {
            CoverageUpperBound = answer.CoverageUpperBound is { } upper ? Math.Max(upper, kept.PeopleCoveredWeighted) : null,
            // What was given up in people for the convoys kept (null when the answer only saved ton-km).
            KeptInForce = gain > 1e-9 && answerDrops > drops
                ? new ReliefPlanKeptInForce { Convoys = answerDrops - drops, WeightedPeopleForgone = gain, PeopleForgone = answer.PeopleCovered - kept.PeopleCovered }
                : null,
        };
    }

    /// <summary>
    /// The plan near the plan in force: the truck search (<see cref="TruckSearch"/>) started from the trucks of the plan in
    /// force carried on, over <paramref name="allowed"/> routes, with the greedy rule's additions on the routes it leaves. Its
    /// moves shift single trucks, so it withdraws few convoys: when a new incident needs trucks, this plan takes them from the
    /// convoys worth least rather than drawing the whole plan anew. Null without a plan in force carried on.
    /// </summary>
    private (long[]?[] Plan, ReliefPlanResult Assembled)? Near(ReliefProblem problem, Carried? carried, bool[] allowed, Budget budget)
    {
        if (carried is not { } c) return null;
        using var flows = new TruckFlows(problem, allowed);
        var searched = TruckSearch.Improve(problem, flows, TrucksOf(problem, c.Plan), budget.Share(NearShare));
        var plan = GreedyReliefPlanner.Extend(problem, flows.WholePlan(searched));
        return (plan, problem.Assemble(plan, ReliefPlanStatus.Feasible));
    }

    /// <summary>The share of the budget the plan near the plan in force may take (<see cref="Near"/>).</summary>
    private const double NearShare = 0.2;

    /// <summary>
    /// The plan in force carried on (<see cref="Floor"/>): its shipments, assembled, the routes the plan in force still holds,
    /// and the floor's weighted people (the better of it and the greedy plan), below which no plan is kept over the answer.
    /// </summary>
    private sealed record Carried(long[]?[] Plan, ReliefPlanResult Assembled, IReadOnlyList<int> InForceRoutes, double Floor);

    /// <summary>The share of a surge's budget kept for <see cref="Repair"/>.</summary>
    private const double RepairShare = 0.1;

    /// <summary>The repair step of <paramref name="plan"/> (a plan of these inputs) alone, with a budget of its own: for tests.</summary>
    internal ReliefPlanResult Repair(IReadOnlyList<ReliefDemandInput> demands, IReadOnlyList<ReliefWarehouse> warehouses,
        IReadOnlyDictionary<string, ReliefItemSpec> items, DateTimeOffset now, ReliefPlanResult plan) =>
        Repair(ReliefProblem.Create(demands, warehouses, items, now, _travel, _options), demands, warehouses, items, now, plan,
            new Budget(_options.TimeLimit), TimeSpan.Zero);

    /// <summary>
    /// The last step of a surge's plan: the demands it sends nothing to, over the stock and trucks it leaves. The steps before
    /// plan only the demands the aggregate relaxation covers and, cut short by the budget, often leave trucks idle that could
    /// still bring such a demand its kit by its deadline (on the benchmark's seed 42 at 500 ms, up to 7,500 weighted people).
    /// The greedy plan of that small problem (milliseconds), then its full integer model started from it in the budget kept
    /// for this (<see cref="RepairShare"/>), and the better of the two joins the plan. It never takes anything the plan uses.
    /// </summary>
    private ReliefPlanResult Repair(ReliefProblem problem, IReadOnlyList<ReliefDemandInput> demands, IReadOnlyList<ReliefWarehouse> warehouses,
        IReadOnlyDictionary<string, ReliefItemSpec> items, DateTimeOffset now, ReliefPlanResult plan, Budget budget, TimeSpan modelBuild)
    {
        budget.Release();
        var served = plan.Allocations.Select(a => a.DemandId).ToHashSet(StringComparer.Ordinal);
        var unserved = demands.Where(d => !served.Contains(d.DemandId) && d.Kit.Values.Any(q => q > 0)).ToList();
        if (unserved.Count == 0) return plan;
        var left = LateRelief.Left(warehouses, plan.Allocations).Where(w => w.Trucks > 0).ToList();
        if (left.Count == 0) return plan;
        var sub = ReliefProblem.Create(unserved, left, items, now, _travel, _options);
        if (sub.Routes.Length == 0) return plan;
        var greedy = GreedyReliefPlanner.Shipments(sub);
        var repair = sub.Assemble(greedy, ReliefPlanStatus.Feasible);
        if (budget.Left >= StepCost(modelBuild) && CandidateCount(sub) <= _options.ExactModelLimit && Build(sub, _options.Solver, null, null, integerFlows: true) is { } model)
        {
            ReliefPlanResult exact;
            using (model.Solver) exact = TwoPhases(sub, model, greedy, knownBound: null, budget);
            if (exact.PeopleCoveredWeighted >= repair.PeopleCoveredWeighted) repair = exact;
        }
        if (repair.PeopleCoveredWeighted <= 0) return plan;
        var loads = plan.Allocations.Concat(repair.Allocations).Select(a => new ReliefLoad(a.DemandId, a.WarehouseId, a.ItemCode, a.Quantity)).ToList();
        var joined = problem.Assemble(problem.Kept(loads), plan.Status);
        return joined.PeopleCoveredWeighted > plan.PeopleCoveredWeighted
            ? joined with { CoverageUpperBound = plan.CoverageUpperBound is { } upper ? Math.Max(upper, joined.PeopleCoveredWeighted) : null }
            : plan;
    }

    /// <summary>
    /// The truck search's share of the time left. Side by side (<see cref="ReliefPlannerOptions.ParallelStarts"/>), and for the
    /// second start, most of it (the completion gets the rest). One after the other, the first start's takes 30 % when that
    /// still leaves the second start its third of the budget, and otherwise half, as before (the second start then runs only if
    /// that search stops early). Half could cut the second start out at 3 s on a slower host (seed 42: about 59,000 weighted
    /// people without the second start, 70,000 with it).
    /// </summary>
    private double SearchShare(bool secondStart, TimeSpan left) =>
        secondStart || _options.ParallelStarts ? 0.8 : left * (1 - FirstSearchShare) >= _options.TimeLimit / 3 ? FirstSearchShare : 0.5;

    private const double FirstSearchShare = 0.3;

    /// <summary>
    /// The least time worth starting the completion (a model build, then SCIP, whose presolve does not stop at a short limit):
    /// four times what building the one-truck LP's model took in this call, and at least 10 ms. On a quiet host that build takes
    /// 5 to 9 ms and the completion 25 to 90 ms; under load both slow alike.
    /// </summary>
    private static TimeSpan StepCost(TimeSpan modelBuild) => TimeSpan.FromTicks(Math.Max(4 * modelBuild.Ticks, TimeSpan.FromMilliseconds(10).Ticks));

    /// <summary>
    /// The better, by weighted people covered, of the greedy plan and the plan in force carried on: what still holds of it
    /// (<see cref="ReliefProblem.Kept"/>) with what the greedy rule adds from the stock and trucks it leaves
    /// (<see cref="GreedyReliefPlanner.Extend"/>: new incidents, grown needs); the plan in force on a tie, so that a re-plan
    /// that finds nothing better leaves its convoys where they are. <c>Carried</c> is the plan in force carried on (for
    /// <see cref="Near"/> and <see cref="Steady"/>), whether or not it is the floor; null without a plan in force.
    /// </summary>
    private static (long[]?[] Plan, ReliefPlanResult Assembled, Carried? Carried) Floor(ReliefProblem problem, IReadOnlyList<ReliefLoad>? inForce)
    {
        var greedy = GreedyReliefPlanner.Shipments(problem);
        var assembled = problem.Assemble(greedy, ReliefPlanStatus.Feasible);
        if (inForce is not { Count: > 0 }) return (greedy, assembled, null);
        var carried = CarriedOn(problem, inForce, assembled.PeopleCoveredWeighted);
        return carried.Assembled.PeopleCoveredWeighted >= assembled.PeopleCoveredWeighted ? (carried.Plan, carried.Assembled, carried) : (greedy, assembled, carried);
    }

    /// <summary>
    /// The plan in force carried on: what still holds of it, with what the greedy rule adds from what it leaves;
    /// <paramref name="greedy"/> is the greedy plan's weighted people, for the floor.
    /// </summary>
    private static Carried CarriedOn(ReliefProblem problem, IReadOnlyList<ReliefLoad> inForce, double greedy)
    {
        var kept = problem.Kept(inForce);
        var plan = GreedyReliefPlanner.Extend(problem, kept);
        var assembled = problem.Assemble(plan, ReliefPlanStatus.Feasible);
        return new Carried(plan, assembled, [.. Enumerable.Range(0, kept.Length).Where(r => kept[r] is not null)],
            Math.Max(greedy, assembled.PeopleCoveredWeighted));
    }

    /// <summary><see cref="Steady"/> of <paramref name="answer"/> (a plan of these inputs) against <paramref name="inForce"/> carried on: for tests.</summary>
    internal ReliefPlanResult Steady(IReadOnlyList<ReliefDemandInput> demands, IReadOnlyList<ReliefWarehouse> warehouses,
        IReadOnlyDictionary<string, ReliefItemSpec> items, DateTimeOffset now, IReadOnlyList<ReliefLoad> inForce, ReliefPlanResult answer)
    {
        var problem = ReliefProblem.Create(demands, warehouses, items, now, _travel, _options);
        return Steady(problem, Floor(problem, inForce).Carried, answer);
    }

    private static int[] TrucksOf(ReliefProblem problem, long[]?[] shipments)
    {
        var trucks = new int[problem.Routes.Length];
        for (var r = 0; r < shipments.Length; r++)
            if (shipments[r] is { } load) trucks[r] = problem.TripsFor(problem.Routes[r].Warehouse, load);
        return trucks;
    }

    private static ReliefPlanResult Nothing(ReliefProblem problem)
    {
        var empty = problem.Assemble(new long[]?[problem.Routes.Length], ReliefPlanStatus.Optimal);
        return empty with { CoverageUpperBound = empty.PeopleCoveredWeighted };
    }

    /// <summary>
    /// Phase 1 maximises Σ priority · x; phase 2 keeps it and minimises ton-km. <paramref name="hint"/> (a feasible plan of this
    /// model) starts phase 1; <paramref name="knownBound"/>, when the model is restricted, is the bound over all plans.
    /// </summary>
    private ReliefPlanResult TwoPhases(ReliefProblem problem, Model model, long[]?[]? hint, double? knownBound, Budget budget)
    {
        var solver = model.Solver;
        using var interrupt = budget.Interrupting(solver);
        var objective = solver.Objective();
        for (var d = 0; d < model.X.Length; d++)
            if (model.X[d] is { } x) objective.SetCoefficient(x, problem.Demands[d].Priority);
        objective.SetMaximization();
        if (hint is not null) model.Hint(problem, hint);
        var status1 = Solve(solver, knownBound is null ? _options.CoverageRelativeGap : Math.Max(_options.CoverageRelativeGap, 1e-4),
            budget.Share(0.7));
        long[]?[] plan1;
        if (status1 is Solver.ResultStatus.OPTIMAL or Solver.ResultStatus.FEASIBLE) plan1 = model.Shipments(problem);
        else if (status1 == Solver.ResultStatus.NOT_SOLVED) plan1 = hint ?? new long[]?[problem.Routes.Length]; // time limit, no plan
        else
            throw new InvalidOperationException($"OR-Tools {_options.Solver} ended the coverage phase with status {status1} " +
                $"({solver.NumVariables()} variables, {solver.NumConstraints()} constraints).");
        var z1 = Weighted(problem, model, plan1);
        if (hint is not null && Weighted(problem, model, hint) is var zHint && zHint > z1) (plan1, z1) = (hint, zHint); // a back end may drop the hint
        var minPriority = problem.Demands.Where((_, d) => model.X[d] is not null).Min(x => x.Priority);
        var epsilon = Math.Min(1e-6 * Math.Max(1, z1), minPriority / 2);
        // The proven ceiling on Σ priority · x: this MIP's own bound, or the given one (the aggregate relaxation's) when the model is restricted.
        var bound = knownBound ?? (status1 == Solver.ResultStatus.OPTIMAL ? z1 : Math.Max(z1, objective.BestBound()));
        var proven = knownBound is null ? status1 == Solver.ResultStatus.OPTIMAL : z1 >= knownBound.Value - epsilon;
        var outside = EmptyKits(problem);

        // Phase 2: fewest ton-km among plans covering as many (weighted) people. ε is below one person of the lowest priority.
        var keep = solver.MakeConstraint(z1 - epsilon, double.PositiveInfinity, "");
        for (var d = 0; d < model.X.Length; d++)
            if (model.X[d] is { } x) keep.SetCoefficient(x, problem.Demands[d].Priority);
        objective.Clear();
        foreach (var (r, i, q) in model.Q)
        {
            var cost = SecondCost(problem, r, i);
            if (cost > 0) objective.SetCoefficient(q, cost);
        }
        objective.SetMinimization();
        model.Hint(problem, plan1);
        var status2 = Solve(solver, _options.TonKmRelativeGap, budget.Share(1));

        var result = problem.Assemble(plan1, proven ? ReliefPlanStatus.CoverageOptimal : ReliefPlanStatus.Feasible);
        if (status2 is Solver.ResultStatus.OPTIMAL or Solver.ResultStatus.FEASIBLE)
        {
            var plan2 = model.Shipments(problem);
            if (Weighted(problem, model, plan2) >= z1 - epsilon && SecondObjective(problem, plan2) <= SecondObjective(problem, plan1) + 1e-9)
                result = problem.Assemble(plan2, !proven ? ReliefPlanStatus.Feasible
                    : status2 == Solver.ResultStatus.OPTIMAL && knownBound is null ? ReliefPlanStatus.Optimal : ReliefPlanStatus.CoverageOptimal);
        }
        return result with { CoverageUpperBound = Math.Max(result.PeopleCoveredWeighted, bound + outside) };
    }

    /// <summary>
    /// Σ priority × people of the demands whose kit is empty: covered whatever is sent, so the models leave them out (every other
    /// demand covers nobody with nothing sent).
    /// </summary>
    private static double EmptyKits(ReliefProblem problem)
    {
        var total = 0.0;
        var none = new long[problem.Items.Length];
        for (var d = 0; d < problem.Demands.Length; d++) total += problem.Demands[d].Priority * problem.Covered(d, none);
        return total;
    }

    /// <summary>
    /// The second phase's cost of one unit of item <paramref name="i"/> on route <paramref name="r"/>: its ton-km, or with
    /// <see cref="ReliefPlannerOptions.EarliestFirst"/> the wait it ends (its share of the demand's kit of that item, spread over
    /// the kit's items, × priority × people × minutes until it arrives) plus a millionth of its ton-km for ties.
    /// </summary>
    private double SecondCost(ReliefProblem problem, int r, int i)
    {
        var route = problem.Routes[r];
        var tonKm = problem.WeightKg[i] / 1000 * route.DistanceKm;
        if (!_options.EarliestFirst) return tonKm;
        var demand = problem.Demands[route.Demand];
        var kit = problem.Kit[route.Demand];
        var items = kit.Count(k => k > 0);
        var minutes = Math.Max(0, (route.Arrival - problem.Now).TotalMinutes);
        return demand.Priority * demand.People * minutes / ((double)kit[i] * items) + 1e-6 * tonKm;
    }

    /// <summary>The second phase's objective (<see cref="SecondCost"/>) of a plan.</summary>
    private double SecondObjective(ReliefProblem problem, long[]?[] shipments)
    {
        var total = 0.0;
        for (var r = 0; r < shipments.Length; r++)
            if (shipments[r] is { } load)
                for (var i = 0; i < load.Length; i++)
                    if (load[i] > 0) total += load[i] * SecondCost(problem, r, i);
        return total;
    }

    /// <summary>How many q variables the full model would have (routes × kit items the warehouse holds, where it has trucks).</summary>
    private static long CandidateCount(ReliefProblem problem)
    {
        long count = 0;
        foreach (var route in problem.Routes)
        {
            if (problem.Warehouses[route.Warehouse].Trucks == 0) continue;
            for (var i = 0; i < problem.Items.Length; i++)
                if (problem.Kit[route.Demand][i] > 0 && problem.Available[route.Warehouse][i] > 0) count++;
        }
        return count;
    }

    /// <summary>
    /// A bound on Σ priority × covered people of every plan, from a relaxation that forgets the routes: each warehouse ships, in
    /// total, within its stock and what its whole fleet carries (Σ_i weight_i · y[w,i] ≤ Trucks_w · capacityKg_w, and the same for
    /// volume), and the covered people of every demand need their kit from those totals (Σ_d rate_di · x_d ≤ Σ_w y[w,i]). Any plan
    /// maps onto it (y = what each warehouse sends), so its optimum is a bound. It has a few hundred variables instead of one per
    /// route and item: milliseconds where an LP over every route takes hundreds; on the benchmark's surge both give 82,472. Demands with an
    /// empty kit are covered whatever is planned and are added as they are.
    /// </summary>
    internal static double AggregateBound(ReliefProblem problem) => Aggregate(problem).Bound + EmptyKits(problem);

    /// <summary>
    /// The aggregate relaxation (<see cref="AggregateBound"/>): its bound over the demands with a kit (without the people of
    /// <see cref="EmptyKits"/>, as the models count), and the (fractional) people it covers per demand, which tell a surge's search
    /// which demands are worth serving.
    /// </summary>
    private static (double Bound, double[] Covered) Aggregate(ReliefProblem problem)
    {
        var covered = new double[problem.Demands.Length];
        var xs = new List<(int Demand, Variable X)>();
        var items = problem.Items.Length;
        using var solver = Solver.CreateSolver("GLOP") ?? throw new InvalidOperationException("OR-Tools has no GLOP on this platform.");
        var supply = new Constraint?[items];
        var reaches = new bool[problem.Warehouses.Length];
        var objective = solver.Objective();
        for (var d = 0; d < problem.Demands.Length; d++)
        {
            if (problem.Kit[d].All(k => k == 0)) continue; // counted by EmptyKits
            double upper = problem.Demands[d].People;
            for (var i = 0; i < items; i++)
            {
                if (problem.Kit[d][i] == 0) continue;
                long reach = 0;
                foreach (var r in problem.RoutesOfDemand[d])
                    if (problem.Warehouses[problem.Routes[r].Warehouse].Trucks > 0) reach += problem.Available[problem.Routes[r].Warehouse][i];
                upper = Math.Min(upper, (double)reach * problem.Demands[d].People / problem.Kit[d][i]);
            }
            if (upper <= 0) continue;
            foreach (var r in problem.RoutesOfDemand[d]) reaches[problem.Routes[r].Warehouse] = true;
            var x = solver.MakeNumVar(0, upper, "");
            xs.Add((d, x));
            objective.SetCoefficient(x, problem.Demands[d].Priority);
            for (var i = 0; i < items; i++)
                if (problem.Kit[d][i] > 0) (supply[i] ??= solver.MakeConstraint(double.NegativeInfinity, 0, "")).SetCoefficient(x, problem.Rate(d, i));
        }
        for (var w = 0; w < problem.Warehouses.Length; w++)
        {
            var wh = problem.Warehouses[w];
            if (!reaches[w] || wh.Trucks == 0) continue;
            var weight = solver.MakeConstraint(double.NegativeInfinity, wh.Trucks * wh.TruckCapacityKg, "");
            var volume = solver.MakeConstraint(double.NegativeInfinity, wh.Trucks * wh.TruckCapacityM3, "");
            for (var i = 0; i < items; i++)
            {
                if (supply[i] is not { } row || problem.Available[w][i] == 0) continue;
                var y = solver.MakeNumVar(0, problem.Available[w][i], "");
                row.SetCoefficient(y, -1);
                weight.SetCoefficient(y, problem.WeightKg[i]);
                volume.SetCoefficient(y, problem.VolumeM3[i]);
            }
        }
        objective.SetMaximization();
        if (solver.Solve() != Solver.ResultStatus.OPTIMAL)
            throw new InvalidOperationException("OR-Tools GLOP did not solve the aggregate relaxation.");
        foreach (var (d, x) in xs) covered[d] = x.SolutionValue();
        // Tiny upward slack for the LP's own tolerances: the bound must stay a bound.
        return (objective.Value() * (1 + 1e-9) + 1e-6, covered);
    }

    /// <summary>
    /// The LP over the <paramref name="allowed"/> routes with one-truck rows (GLOP), for a surge's trucks to start from: it keeps
    /// each demand's kit on few routes, where the plain LP spreads it in fractions of a truck over a dozen (rounded, 75,425 weighted
    /// people on the benchmark's surge against 66,377). Its value bounds nothing (the routes are restricted).
    /// </summary>
    /// <param name="singleTruckRows">Whether warehouses with one truck get one-truck rows too.</param>
    /// <returns>The trucks per route (fractional, from an optimal or, cut off at its share of the budget, a feasible point), or null
    /// when GLOP had no feasible point by then; and how long building the model took.</returns>
    private (double[]? Trucks, TimeSpan Build) OneTruckLp(ReliefProblem problem, bool[] allowed, bool singleTruckRows, Budget budget)
    {
        var building = System.Diagnostics.Stopwatch.StartNew();
        var model = Build(problem, "GLOP", allowed, null, integerFlows: false, oneTruckRows: singleTruckRows ? 1 : 2);
        var build = building.Elapsed;
        if (model is null) return (null, build);
        using var solver = model.Solver;
        var objective = solver.Objective();
        for (var d = 0; d < model.X.Length; d++)
            if (model.X[d] is { } x) objective.SetCoefficient(x, problem.Demands[d].Priority);
        objective.SetMaximization();
        solver.SetTimeLimit((long)Math.Ceiling(budget.Share(0.7).TotalMilliseconds));
        var status = solver.Solve();
        // At its time limit GLOP answers NOT_SOLVED (no feasible point yet), or FEASIBLE when it holds a feasible point that is
        // not proven optimal. Only the start comes from this LP, not the bound, so a feasible point will do.
        // GLOP now and then ends such a solve ABNORMAL (seen on `relief-churn 40 7 arriving`, where it failed the whole re-plan):
        // that too is only a start missing, and the search starts from the floor's trucks instead.
        if (status is not (Solver.ResultStatus.OPTIMAL or Solver.ResultStatus.FEASIBLE)) return (null, build);
        var trucks = new double[problem.Routes.Length];
        for (var r = 0; r < trucks.Length; r++)
            if (model.T[r] is { } t) trucks[r] = t.SolutionValue();
        return (trucks, build);
    }

    private static Solver.ResultStatus Solve(Solver solver, double relativeGap, TimeSpan limit)
    {
        using var parameters = new MPSolverParameters();
        parameters.SetDoubleParam(MPSolverParameters.DoubleParam.RELATIVE_MIP_GAP, relativeGap);
        solver.SetTimeLimit((long)Math.Ceiling(limit.TotalMilliseconds));
        return solver.Solve(parameters);
    }

    /// <summary>
    /// The plan's wall-clock budget (<see cref="ReliefPlannerOptions.TimeLimit"/>), handed out to the solves in turn. The solves
    /// share the first 90 %: building the next model, the solvers' own overrun of their limits and assembling the plan
    /// happen outside the limits, and the whole call must end within the budget.
    /// </summary>
    private sealed class Budget
    {
        private static readonly TimeSpan Floor = TimeSpan.FromMilliseconds(5);
        private readonly TimeSpan _total;
        private TimeSpan _end; // the end of the budget, less what is reserved for a later step
        private TimeSpan _solving;

        public Budget(TimeSpan total) => (_total, _end, _solving) = (total, total, total * 0.9);
        private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

        /// <summary>Keeps <paramref name="fraction"/> of the budget back from the solves until <see cref="Release"/>.</summary>
        public void Reserve(double fraction) => (_end, _solving) = (_total * (1 - fraction), _total * (1 - fraction) * 0.9);

        /// <summary>Hands what <see cref="Reserve"/> kept back to the solves that follow.</summary>
        public void Release() => (_end, _solving) = (_total, _total * 0.9);

        /// <summary>The solving time left (negative once it is over).</summary>
        public TimeSpan Left => _solving - _clock.Elapsed;

        /// <summary>A fraction of the solving time left; at least 5 ms, so a late solve still returns the start it was given.</summary>
        public TimeSpan Share(double fraction)
        {
            var left = _solving - _clock.Elapsed;
            return left * fraction > Floor ? left * fraction : Floor;
        }

        /// <summary>
        /// Interrupts <paramref name="solver"/> if it is still solving when 95 % of the budget has gone: under load SCIP's presolve
        /// overruns a short limit by far more than the 10 % kept back. Dispose once its solves are over.
        /// </summary>
        public IDisposable Interrupting(Solver solver) => new Interrupter(solver, _end * 0.95 - _clock.Elapsed);

        private sealed class Interrupter : IDisposable
        {
            private readonly Lock _gate = new();
            private readonly Timer _timer;
            private bool _done;

            public Interrupter(Solver solver, TimeSpan due) => _timer = new Timer(_ =>
            {
                lock (_gate)
                    if (!_done) solver.InterruptSolve();
            }, null, due > TimeSpan.Zero ? due : TimeSpan.Zero, Timeout.InfiniteTimeSpan);

            public void Dispose()
            {
                lock (_gate) _done = true;
                _timer.Dispose();
            }
        }
    }

    /// <summary>Σ priority × covered people over the demands the model has an x for (the coverage phase 2 must keep).</summary>
    private static double Weighted(ReliefProblem problem, Model model, long[]?[] shipments)
    {
        var supplied = Supplied(problem, shipments);
        var total = 0.0;
        for (var d = 0; d < problem.Demands.Length; d++)
            if (model.X[d] is not null) total += problem.Demands[d].Priority * problem.Covered(d, supplied[d]);
        return total;
    }

    private static long[][] Supplied(ReliefProblem problem, long[]?[] shipments)
    {
        var supplied = new long[problem.Demands.Length][];
        for (var d = 0; d < supplied.Length; d++) supplied[d] = new long[problem.Items.Length];
        for (var r = 0; r < shipments.Length; r++)
            if (shipments[r] is { } load)
                for (var i = 0; i < load.Length; i++) supplied[problem.Routes[r].Demand][i] += load[i];
        return supplied;
    }

    /// <summary>
    /// The MIP, or null when no demand can have anybody covered (nothing to solve). <paramref name="allowed"/> limits the routes;
    /// <paramref name="truckCap"/> caps the trucks per route (and drops routes capped at 0); <paramref name="integerFlows"/> false
    /// relaxes units and people to continuous values (trucks stay integer). With solver "GLOP" everything is continuous (the LP relaxation).
    /// <paramref name="oneTruckRows"/> n &gt; 0 adds the one-truck rows (<see cref="OneTruckRow"/>) on the routes of warehouses with at
    /// least n trucks.
    /// </summary>
    private Model? Build(ReliefProblem problem, string solverId, bool[]? allowed, int[]? truckCap, bool integerFlows, int oneTruckRows = 0)
    {
        var items = problem.Items.Length;
        var demands = problem.Demands.Length;

        // Upper bound of each q: the stock, the kit, and what the warehouse's whole fleet could carry of that item alone.
        long Bound(int r, int i)
        {
            var route = problem.Routes[r];
            var wh = problem.Warehouses[route.Warehouse];
            var trucks = truckCap?[r] ?? wh.Trucks;
            if (trucks == 0) return 0;
            double bound = Math.Min(problem.Available[route.Warehouse][i], problem.Kit[route.Demand][i]);
            if (problem.WeightKg[i] > 0) bound = Math.Min(bound, Math.Floor(trucks * wh.TruckCapacityKg / problem.WeightKg[i] * (1 + 1e-9)));
            if (problem.VolumeM3[i] > 0) bound = Math.Min(bound, Math.Floor(trucks * wh.TruckCapacityM3 / problem.VolumeM3[i] * (1 + 1e-9)));
            return (long)bound;
        }

        // x_d can be positive only if every kit item has some source; its bound is what the sources could give at most.
        var xBound = new long[demands];
        for (var d = 0; d < demands; d++)
        {
            var people = problem.Demands[d].People;
            if (people == 0) continue;
            Int128 bound = people;
            for (var i = 0; i < items && bound > 0; i++)
            {
                if (problem.Kit[d][i] == 0) continue;
                long reach = 0;
                foreach (var r in problem.RoutesOfDemand[d])
                    if (allowed is null || allowed[r]) reach += Bound(r, i);
                bound = Int128.Min(bound, (Int128)reach * people / problem.Kit[d][i]);
            }
            // An empty kit needs nothing: those people are covered whatever is planned, and are left out of the model.
            xBound[d] = problem.Kit[d].All(k => k == 0) ? 0 : (long)bound;
        }
        if (xBound.All(b => b == 0)) return null;

        var solver = Solver.CreateSolver(solverId)
            ?? throw new InvalidOperationException($"OR-Tools has no solver '{solverId}' on this platform (use SCIP or CBC).");
        solver.SuppressOutput();
        var model = new Model(solver, new Variable?[demands], new Variable?[problem.Routes.Length], []);
        for (var d = 0; d < demands; d++)
            if (xBound[d] > 0) model.X[d] = solver.MakeVar(0, xBound[d], integerFlows, "");

        var qOf = new Dictionary<(int Route, int Item), Variable>();
        for (var r = 0; r < problem.Routes.Length; r++)
        {
            var route = problem.Routes[r];
            if (model.X[route.Demand] is null) continue;
            if (allowed is not null && !allowed[r]) continue;
            var wh = problem.Warehouses[route.Warehouse];
            Constraint? weightRow = null, volumeRow = null;
            for (var i = 0; i < items; i++)
            {
                if (problem.Kit[route.Demand][i] == 0) continue;
                var ub = Bound(r, i);
                if (ub == 0) continue;
                var q = solver.MakeVar(0, ub, integerFlows, "");
                qOf[(r, i)] = q;
                model.Q.Add((r, i, q));
                if (model.T[r] is null)
                {
                    var t = model.T[r] = solver.MakeIntVar(0, truckCap?[r] ?? wh.Trucks, "");
                    weightRow = solver.MakeConstraint(double.NegativeInfinity, 0, "");
                    weightRow.SetCoefficient(t, -wh.TruckCapacityKg);
                    volumeRow = solver.MakeConstraint(double.NegativeInfinity, 0, "");
                    volumeRow.SetCoefficient(t, -wh.TruckCapacityM3);
                }
                if (oneTruckRows > 0 && wh.Trucks >= oneTruckRows && OneTruckRow(problem, r, i) is var m and > 0)
                {
                    var row = solver.MakeConstraint(double.NegativeInfinity, 0, "");
                    row.SetCoefficient(q, 1);
                    row.SetCoefficient(model.T[r], -m);
                }
                if (problem.WeightKg[i] > 0) weightRow!.SetCoefficient(q, problem.WeightKg[i]);
                if (problem.VolumeM3[i] > 0) volumeRow!.SetCoefficient(q, problem.VolumeM3[i]);
            }
        }

        // Whole kits for the covered people, and never more than the whole kit.
        for (var d = 0; d < demands; d++)
        {
            if (model.X[d] is not { } x) continue;
            for (var i = 0; i < items; i++)
            {
                if (problem.Kit[d][i] == 0) continue;
                var cover = solver.MakeConstraint(0, double.PositiveInfinity, "");
                cover.SetCoefficient(x, -problem.Rate(d, i));
                long reach = 0;
                var sources = new List<Variable>();
                foreach (var r in problem.RoutesOfDemand[d])
                    if (qOf.TryGetValue((r, i), out var q))
                    {
                        cover.SetCoefficient(q, 1);
                        sources.Add(q);
                        reach += (long)q.Ub();
                    }
                if (reach > problem.Kit[d][i])
                {
                    var cap = solver.MakeConstraint(0, problem.Kit[d][i], "");
                    foreach (var q in sources) cap.SetCoefficient(q, 1);
                }
            }
        }

        // Stock and fleet, where the bounds alone do not already keep them.
        var byWarehouseItem = new Dictionary<(int, int), List<Variable>>();
        foreach (var (r, i, q) in model.Q)
        {
            var key = (problem.Routes[r].Warehouse, i);
            if (!byWarehouseItem.TryGetValue(key, out var list)) byWarehouseItem[key] = list = [];
            list.Add(q);
        }
        foreach (var ((w, i), list) in byWarehouseItem)
            if (list.Sum(q => (long)q.Ub()) > problem.Available[w][i])
            {
                var stock = solver.MakeConstraint(0, problem.Available[w][i], "");
                foreach (var q in list) stock.SetCoefficient(q, 1);
            }
        var tripsOf = new List<Variable>?[problem.Warehouses.Length];
        for (var r = 0; r < problem.Routes.Length; r++)
            if (model.T[r] is { } t) (tripsOf[problem.Routes[r].Warehouse] ??= []).Add(t);
        for (var w = 0; w < tripsOf.Length; w++)
            if (tripsOf[w] is { Count: > 1 } list)
            {
                var fleet = solver.MakeConstraint(0, problem.Warehouses[w].Trucks, "");
                foreach (var t in list) fleet.SetCoefficient(t, 1);
            }
        return model;
    }

    /// <summary>
    /// The coefficient m of the one-truck row q[r,i] ≤ m · t[r] with m = min(stock, kit): with whole trucks any flow needs t ≥ 1,
    /// so the row is valid. It is worth a row only where one truck carries much more than m (there the load rows already force
    /// about as many trucks): where m is under half a truck's load of the item alone. 0 for none.
    /// </summary>
    private static long OneTruckRow(ReliefProblem problem, int r, int i)
    {
        var route = problem.Routes[r];
        var wh = problem.Warehouses[route.Warehouse];
        var m = Math.Min(problem.Available[route.Warehouse][i], problem.Kit[route.Demand][i]);
        var perTruck = Math.Min(problem.WeightKg[i] > 0 ? wh.TruckCapacityKg / problem.WeightKg[i] : double.PositiveInfinity,
            problem.VolumeM3[i] > 0 ? wh.TruckCapacityM3 / problem.VolumeM3[i] : double.PositiveInfinity);
        return m < perTruck * 0.5 ? m : 0;
    }

    private static ReliefPlannerOptions Checked(ReliefPlannerOptions options)
    {
        ReliefProblem.ValidateOptions(options);
        return options;
    }

    private sealed record Model(Solver Solver, Variable?[] X, Variable?[] T, List<(int Route, int Item, Variable Q)> Q)
    {
        public long[]?[] Shipments(ReliefProblem problem)
        {
            var shipments = new long[]?[problem.Routes.Length];
            foreach (var (r, i, q) in Q)
            {
                var value = (long)Math.Round(q.SolutionValue());
                if (value <= 0) continue;
                (shipments[r] ??= new long[problem.Items.Length])[i] = value;
            }
            return shipments;
        }

        /// <summary>Starts the next solve from a known plan: its shipments, the trucks it needs, and its coverage.</summary>
        public void Hint(ReliefProblem problem, long[]?[] shipments)
        {
            var vars = new List<Variable>();
            var values = new List<double>();
            foreach (var (r, i, q) in Q)
            {
                vars.Add(q);
                values.Add(shipments[r]?[i] ?? 0);
            }
            for (var r = 0; r < T.Length; r++)
                if (T[r] is { } t)
                {
                    vars.Add(t);
                    values.Add(shipments[r] is { } load ? problem.TripsFor(problem.Routes[r].Warehouse, load) : 0);
                }
            var supplied = Supplied(problem, shipments);
            for (var d = 0; d < X.Length; d++)
                if (X[d] is { } x)
                {
                    vars.Add(x);
                    values.Add(problem.Covered(d, supplied[d]));
                }
            using var vector = new MPVariableVector(vars);
            Solver.SetHint(vector, [.. values]);
        }
    }
}
