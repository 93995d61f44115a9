using Google.OrTools.LinearSolver;
using HuaduDispatch.Grains.Dispatch.Recommendation;

namespace HuaduDispatch.Grains.Relief;

/// <summary>
/// Exact relief allocation (救灾物资统一调拨) as a mixed-integer program solved by OR-Tools (SCIP by default, CBC by option).
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
/// priorities): phase 1 maximises Σ priority_d · x_d with a relative gap of 0; phase 2 keeps Σ priority_d · x_d ≥ z₁ − ε with
/// ε = min(10⁻⁶ · max(1, z₁), priority_min ÷ 2) — less than any one person — and minimises ton-km Σ weight_i ÷ 1000 · km(w,d) ·
/// q[w,d,i], starting from the phase-1 plan as a hint. Phase 2 stops at <see cref="ReliefPlannerOptions.TonKmRelativeGap"/>.</para>
/// <para>The solver's values are rounded to integers and the plan is rebuilt from the shipments alone (coverage, trucks, shortfalls)
/// by <see cref="ReliefProblem.Assemble"/>, which also checks stock, fleet and deadlines, so a solver tolerance can never hand out an
/// infeasible plan. Warehouses are sorted by id before the model is built, so the answer does not depend on the list's order.</para>
/// </remarks>
public sealed class OptimalReliefPlanner(TravelTimeModel travel, ReliefPlannerOptions options) : IReliefPlanner
{
    private readonly TravelTimeModel _travel = travel ?? throw new ArgumentNullException(nameof(travel));
    private readonly ReliefPlannerOptions _options = Checked(options);

    public ReliefPlanResult Plan(IReadOnlyList<ReliefDemandInput> demands, IReadOnlyList<ReliefWarehouse> warehouses,
        IReadOnlyDictionary<string, ReliefItemSpec> items, DateTimeOffset now)
    {
        var problem = ReliefProblem.Create(demands, warehouses, items, now, _travel, _options);
        var model = Build(problem);
        if (model is null) return problem.Assemble(new long[]?[problem.Routes.Length], ReliefPlanStatus.Optimal);
        using var solver = model.Solver;

        // Phase 1: most priority-weighted people covered, proven (gap 0).
        var objective = solver.Objective();
        for (var d = 0; d < model.X.Length; d++)
            if (model.X[d] is { } x) objective.SetCoefficient(x, problem.Demands[d].Priority);
        objective.SetMaximization();
        // Start from the greedy plan: the search never ends below the baseline, even when the time limit cuts it short.
        var greedy = GreedyReliefPlanner.Shipments(problem);
        model.Hint(problem, greedy);
        var swTemp = System.Diagnostics.Stopwatch.StartNew(); // TEMP
        var status1 = Solve(solver, _options.CoverageRelativeGap);
        if (Environment.GetEnvironmentVariable("RELIEF_SOLVER_LOG") is not null) Console.Error.WriteLine($"TEMP phase1 {status1} obj {objective.Value()} bound {objective.BestBound()} {swTemp.ElapsedMilliseconds} ms vars {solver.NumVariables()} rows {solver.NumConstraints()}"); // TEMP
        if (status1 is not (Solver.ResultStatus.OPTIMAL or Solver.ResultStatus.FEASIBLE))
        {
            if (status1 == Solver.ResultStatus.NOT_SOLVED) // time limit before any plan: sending nothing is the only plan known
                return problem.Assemble(new long[]?[problem.Routes.Length], ReliefPlanStatus.Feasible);
            throw new InvalidOperationException($"OR-Tools {_options.Solver} ended the coverage phase with status {status1} " +
                $"({solver.NumVariables()} variables, {solver.NumConstraints()} constraints).");
        }
        var plan1 = model.Shipments(problem);
        var z1 = Weighted(problem, model, plan1);

        // Phase 2: fewest ton-km among plans covering as many (weighted) people. ε is below one person of the lowest priority.
        var minPriority = problem.Demands.Where((_, d) => model.X[d] is not null).Min(x => x.Priority);
        var epsilon = Math.Min(1e-6 * Math.Max(1, z1), minPriority / 2);
        var keep = solver.MakeConstraint(z1 - epsilon, double.PositiveInfinity, "keep_coverage");
        for (var d = 0; d < model.X.Length; d++)
            if (model.X[d] is { } x) keep.SetCoefficient(x, problem.Demands[d].Priority);
        objective.Clear();
        foreach (var (r, i, q) in model.Q)
        {
            var cost = problem.WeightKg[i] / 1000 * problem.Routes[r].DistanceKm;
            if (cost > 0) objective.SetCoefficient(q, cost);
        }
        objective.SetMinimization();
        model.Hint(problem, plan1);
        var status2 = Solve(solver, _options.TonKmRelativeGap);

        var phase1Proven = status1 == Solver.ResultStatus.OPTIMAL;
        if (status2 is Solver.ResultStatus.OPTIMAL or Solver.ResultStatus.FEASIBLE)
        {
            var plan2 = model.Shipments(problem);
            if (Weighted(problem, model, plan2) >= z1 - epsilon)
                return problem.Assemble(plan2, !phase1Proven ? ReliefPlanStatus.Feasible
                    : status2 == Solver.ResultStatus.OPTIMAL ? ReliefPlanStatus.Optimal : ReliefPlanStatus.CoverageOptimal);
        }
        return problem.Assemble(plan1, phase1Proven ? ReliefPlanStatus.CoverageOptimal : ReliefPlanStatus.Feasible);
    }

    private Solver.ResultStatus Solve(Solver solver, double relativeGap)
    {
        using var parameters = new MPSolverParameters();
        parameters.SetDoubleParam(MPSolverParameters.DoubleParam.RELATIVE_MIP_GAP, relativeGap);
        solver.SetTimeLimit((long)Math.Ceiling(_options.PhaseTimeLimit.TotalMilliseconds));
        return solver.Solve(parameters);
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

    /// <summary>The MIP, or null when no demand can have anybody covered (nothing to solve).</summary>
    private Model? Build(ReliefProblem problem)
    {
        var items = problem.Items.Length;
        var demands = problem.Demands.Length;

        // Upper bound of each q: the stock, the kit, and what the warehouse's whole fleet could carry of that item alone.
        long Bound(int r, int i)
        {
            var route = problem.Routes[r];
            var wh = problem.Warehouses[route.Warehouse];
            if (wh.Trucks == 0) return 0;
            double bound = Math.Min(problem.Available[route.Warehouse][i], problem.Kit[route.Demand][i]);
            if (problem.WeightKg[i] > 0) bound = Math.Min(bound, Math.Floor(wh.Trucks * wh.TruckCapacityKg / problem.WeightKg[i] * (1 + 1e-9)));
            if (problem.VolumeM3[i] > 0) bound = Math.Min(bound, Math.Floor(wh.Trucks * wh.TruckCapacityM3 / problem.VolumeM3[i] * (1 + 1e-9)));
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
                foreach (var r in problem.RoutesOfDemand[d]) reach += Bound(r, i);
                bound = Int128.Min(bound, (Int128)reach * people / problem.Kit[d][i]);
            }
            // An empty kit needs nothing: those people are covered whatever is planned, and are left out of the model.
            xBound[d] = problem.Kit[d].All(k => k == 0) ? 0 : (long)bound;
        }
        if (xBound.All(b => b == 0)) return null;

        var solver = Solver.CreateSolver(_options.Solver)
            ?? throw new InvalidOperationException($"OR-Tools has no MIP solver '{_options.Solver}' on this platform (use SCIP or CBC).");
        solver.SuppressOutput();
        if (Environment.GetEnvironmentVariable("RELIEF_SOLVER_LOG") == "1") solver.EnableOutput(); // TEMP
        if (Environment.GetEnvironmentVariable("RELIEF_SOLVER_PARAMS") is { } sp) solver.SetSolverSpecificParametersAsString(sp); // TEMP
        var model = new Model(solver, new Variable?[demands], new Variable?[problem.Routes.Length], []);
        for (var d = 0; d < demands; d++)
            if (xBound[d] > 0) model.X[d] = solver.MakeIntVar(0, xBound[d], "");

        var qOf = new Dictionary<(int Route, int Item), Variable>();
        for (var r = 0; r < problem.Routes.Length; r++)
        {
            var route = problem.Routes[r];
            if (model.X[route.Demand] is null) continue;
            if (Environment.GetEnvironmentVariable("RELIEF_K") is { } kk && Array.IndexOf(problem.RoutesOfDemand[route.Demand], r) >= int.Parse(kk)) continue; // TEMP
            var wh = problem.Warehouses[route.Warehouse];
            Constraint? weightRow = null, volumeRow = null;
            for (var i = 0; i < items; i++)
            {
                if (problem.Kit[route.Demand][i] == 0) continue;
                var ub = Bound(r, i);
                if (ub == 0) continue;
                var q = solver.MakeIntVar(0, ub, "");
                qOf[(r, i)] = q;
                model.Q.Add((r, i, q));
                if (model.T[r] is null)
                {
                    var t = model.T[r] = solver.MakeIntVar(0, wh.Trucks, "");
                    weightRow = solver.MakeConstraint(double.NegativeInfinity, 0, "");
                    weightRow.SetCoefficient(t, -wh.TruckCapacityKg);
                    volumeRow = solver.MakeConstraint(double.NegativeInfinity, 0, "");
                    volumeRow.SetCoefficient(t, -wh.TruckCapacityM3);
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
