using System.Diagnostics;
using Google.OrTools.LinearSolver;

namespace HuaduDispatch.Grains.Relief;

/// <summary>
/// The flows for fixed trucks: with the trucks of each route given, the best units and people are an LP (GLOP), kept built over a
/// fixed set of routes and solved again as the trucks change (only the trucks' bounds change, in a few milliseconds on the
/// benchmark's surge).
/// </summary>
internal sealed class TruckFlows : IDisposable
{
    private readonly ReliefProblem _problem;
    private readonly Solver _solver;
    private readonly Variable?[] _trucks;
    private readonly Variable?[] _covered;
    private readonly List<(int Item, Variable Units)>[] _units;

    private int[]? _solved;
    private double _value;

    /// <summary>The routes the LP has (allowed, to a demand with a kit, from a warehouse with trucks).</summary>
    public int[] Routes { get; }

    public TruckFlows(ReliefProblem problem, bool[] allowed)
    {
        _problem = problem;
        _solver = Solver.CreateSolver("GLOP") ?? throw new InvalidOperationException("OR-Tools has no GLOP on this platform.");
        var items = problem.Items.Length;
        _trucks = new Variable?[problem.Routes.Length];
        _covered = new Variable?[problem.Demands.Length];
        _units = new List<(int, Variable)>[problem.Routes.Length];
        var objective = _solver.Objective();
        for (var d = 0; d < problem.Demands.Length; d++)
        {
            if (problem.Demands[d].People == 0 || problem.Kit[d].All(k => k == 0)) continue;
            _covered[d] = _solver.MakeNumVar(0, problem.Demands[d].People, "");
            objective.SetCoefficient(_covered[d], problem.Demands[d].Priority);
        }
        objective.SetMaximization();

        var cover = new Dictionary<(int Demand, int Item), Constraint>();
        var stock = new Dictionary<(int Warehouse, int Item), Constraint>();
        var routes = new List<int>();
        for (var r = 0; r < problem.Routes.Length; r++)
        {
            var (w, d) = (problem.Routes[r].Warehouse, problem.Routes[r].Demand);
            var wh = problem.Warehouses[w];
            if (!allowed[r] || _covered[d] is not { } x || wh.Trucks == 0) continue;
            routes.Add(r);
            var t = _trucks[r] = _solver.MakeNumVar(0, 0, "");
            var kg = _solver.MakeConstraint(double.NegativeInfinity, 0, "");
            kg.SetCoefficient(t, -wh.TruckCapacityKg);
            var m3 = _solver.MakeConstraint(double.NegativeInfinity, 0, "");
            m3.SetCoefficient(t, -wh.TruckCapacityM3);
            _units[r] = [];
            for (var i = 0; i < items; i++)
            {
                if (problem.Kit[d][i] == 0 || problem.Available[w][i] == 0) continue;
                var q = _solver.MakeNumVar(0, Math.Min(problem.Kit[d][i], problem.Available[w][i]), "");
                _units[r].Add((i, q));
                kg.SetCoefficient(q, problem.WeightKg[i]);
                m3.SetCoefficient(q, problem.VolumeM3[i]);
                if (!cover.TryGetValue((d, i), out var row))
                {
                    row = cover[(d, i)] = _solver.MakeConstraint(0, double.PositiveInfinity, "");
                    row.SetCoefficient(x, -problem.Rate(d, i));
                }
                row.SetCoefficient(q, 1);
                if (!stock.TryGetValue((w, i), out var held)) held = stock[(w, i)] = _solver.MakeConstraint(0, problem.Available[w][i], "");
                held.SetCoefficient(q, 1);
            }
        }
        // A demand with a kit item that no allowed route can bring covers nobody.
        for (var d = 0; d < problem.Demands.Length; d++)
            if (_covered[d] is { } x && Enumerable.Range(0, items).Any(i => problem.Kit[d][i] > 0 && !cover.ContainsKey((d, i))))
                x.SetBounds(0, 0);
        Routes = [.. routes];
    }

    /// <summary>
    /// Σ priority × covered people (fractional) with at most <paramref name="trucks"/> per route. The same trucks as the last solve
    /// are not solved again (the search's first solve is often the start the roundings' comparison solved last): 3 to 10 ms each.
    /// </summary>
    public double Solve(int[] trucks)
    {
        if (_solved is { } last && Routes.All(r => last[r] == trucks[r])) return _value;
        foreach (var r in Routes) _trucks[r]!.SetBounds(0, trucks[r]);
        var status = _solver.Solve();
        if (status != Solver.ResultStatus.OPTIMAL)
        {
            // GLOP starts each solve from the last basis, and now and then ends such a solve ABNORMAL (it failed two whole plans
            // of the benchmark's seed 42 before this). Solve it once more from scratch before giving up.
            _solver.Reset();
            status = _solver.Solve();
        }
        // Zero trucks everywhere is feasible, so anything but OPTIMAL is a solver failure, never an answer.
        if (status != Solver.ResultStatus.OPTIMAL)
            throw new InvalidOperationException($"OR-Tools GLOP ended the fixed-truck flow LP with status {status}.");
        _solved = (int[])trucks.Clone();
        return _value = _solver.Objective().Value();
    }

    /// <summary>Fractional people of demand d in the last solve.</summary>
    public double Covered(int d) => _covered[d]?.SolutionValue() ?? 0;

    /// <summary>Share of route r's trucks (by weight or volume, the fuller) the last solve's load fills; 0 without trucks.</summary>
    public double Fill(int r)
    {
        var trucks = _trucks[r]?.Ub() ?? 0;
        if (trucks <= 0) return 0;
        var (kg, m3) = Load(r);
        var wh = _problem.Warehouses[_problem.Routes[r].Warehouse];
        return Math.Max(kg / (trucks * wh.TruckCapacityKg), m3 / (trucks * wh.TruckCapacityM3));
    }

    /// <summary>Whether route r is one of <see cref="Routes"/>.</summary>
    public bool Has(int r) => _trucks[r] is not null;

    /// <summary>Trucks the last solve's load on route r needs (0 for none, or for a load within the LP's tolerances of none).</summary>
    public int Needed(int r)
    {
        if (_trucks[r] is null) return 0;
        var (kg, m3) = Load(r);
        return kg < 1e-6 && m3 < 1e-9 ? 0 : _problem.TripsFor(_problem.Routes[r].Warehouse, kg, m3);
    }

    /// <summary>[warehouse][item] units left after the last solve's flows.</summary>
    public double[][] StockLeft()
    {
        var left = _problem.Available.Select(a => a.Select(v => (double)v).ToArray()).ToArray();
        foreach (var r in Routes)
            foreach (var (i, q) in _units[r]) left[_problem.Routes[r].Warehouse][i] -= q.SolutionValue();
        return left;
    }

    /// <summary>The last solve's plan in whole units (<see cref="WholeUnits"/>).</summary>
    public long[]?[] WholePlan(int[] trucks)
    {
        var (flows, covered) = Fractional();
        return WholeUnits.Round(_problem, trucks, flows, covered);
    }

    /// <summary>The last solve's units ([route][item], null for a route not in the LP) and people ([demand]), fractional.</summary>
    public (double[]?[] Flows, double[] Covered) Fractional()
    {
        var flows = new double[]?[_problem.Routes.Length];
        foreach (var r in Routes)
        {
            var row = flows[r] = new double[_problem.Items.Length];
            foreach (var (i, q) in _units[r]) row[i] = q.SolutionValue();
        }
        return (flows, _covered.Select(x => x?.SolutionValue() ?? 0).ToArray());
    }

    private (double Kg, double M3) Load(int r)
    {
        double kg = 0, m3 = 0;
        foreach (var (i, q) in _units[r])
        {
            kg += q.SolutionValue() * _problem.WeightKg[i];
            m3 += q.SolutionValue() * _problem.VolumeM3[i];
        }
        return (kg, m3);
    }

    public void Dispose() => _solver.Dispose();
}

/// <summary>
/// A local search over whole trucks, judged by <see cref="TruckFlows"/>: the rounded LP trucks lose people where a route's
/// fraction of a truck was dropped; moving single trucks gets many of them back.
/// </summary>
/// <remarks>
/// Each round: trucks the flows leave idle go back to their fleet; then, for every demand not fully covered (highest priority
/// first), each warehouse that still holds part of its missing kit is a candidate to send one more truck, from its spare fleet or
/// taken from one of its two emptiest routes to a lower-priority demand. The candidates are ranked by the weight of missing kit
/// one truck could bring, times priority; the best four not yet refused are tried, and the first that raises the LP value is
/// kept. It stops when no candidate is left or the time is up. On the benchmark's surge (seed 2026) it takes the rounded plan
/// from 75,425 to 78,739 weighted people in about 80 LP solves.
/// </remarks>
internal static class TruckSearch
{
    private const int TriesPerRound = 4;
    private const int RoutesToTakeFrom = 2;

    public static int[] Improve(ReliefProblem problem, TruckFlows flows, int[] start, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        var trucks = (int[])start.Clone();
        var value = flows.Solve(trucks);
        var refused = new HashSet<(int To, int From)>();
        var routesOf = new List<int>[problem.Warehouses.Length];
        for (var w = 0; w < routesOf.Length; w++) routesOf[w] = [];
        foreach (var r in flows.Routes) routesOf[problem.Routes[r].Warehouse].Add(r);

        while (clock.Elapsed < limit)
        {
            foreach (var r in flows.Routes) trucks[r] = Math.Min(trucks[r], flows.Needed(r));
            var spare = problem.Warehouses.Select(w => w.Trucks).ToArray();
            foreach (var r in flows.Routes) spare[problem.Routes[r].Warehouse] -= trucks[r];
            var left = flows.StockLeft();
            var (carrying, _) = flows.Fractional();

            var moves = new List<(double Score, int To, int From)>();
            foreach (var d in Enumerable.Range(0, problem.Demands.Length).OrderByDescending(d => problem.Demands[d].Priority))
            {
                var missing = problem.Demands[d].People - flows.Covered(d);
                if (missing < 0.5) continue;
                foreach (var to in problem.RoutesOfDemand[d])
                {
                    if (!flows.Has(to)) continue;
                    var w = problem.Routes[to].Warehouse;
                    if (spare[w] > 0)
                    {
                        var score = OneTruckBrings(problem, d, w, missing, left, null, 0) * problem.Demands[d].Priority;
                        if (score > 0) moves.Add((score, to, -1));
                    }
                    else
                        foreach (var from in routesOf[w]
                                     .Where(k => k != to && trucks[k] > 0 && problem.Demands[problem.Routes[k].Demand].Priority < problem.Demands[d].Priority)
                                     .OrderBy(k => problem.Demands[problem.Routes[k].Demand].Priority).ThenBy(flows.Fill).Take(RoutesToTakeFrom))
                        {
                            // The truck taken brings its share of that route's load back to the stock it may carry.
                            var score = OneTruckBrings(problem, d, w, missing, left, carrying[from], 1.0 / trucks[from]) * problem.Demands[d].Priority;
                            if (score > 0) moves.Add((score * 0.5 * (1.5 - flows.Fill(from)), to, from));
                        }
                }
            }

            var tries = moves.Where(m => !refused.Contains((m.To, m.From))).OrderByDescending(m => m.Score).Take(TriesPerRound).ToList();
            if (tries.Count == 0) break;
            var improved = false;
            foreach (var (_, to, from) in tries)
            {
                var next = (int[])trucks.Clone();
                next[to]++;
                if (from >= 0) next[from]--;
                var nextValue = flows.Solve(next);
                if (nextValue > value + 1e-6)
                {
                    (trucks, value, improved) = (next, nextValue, true);
                    break;
                }
                refused.Add((to, from));
                if (clock.Elapsed >= limit) break;
            }
            if (!improved) flows.Solve(trucks); // the next round reads the current trucks' flows
        }
        return trucks;
    }

    /// <summary>
    /// Kilograms of demand d's missing kit that one truck of warehouse w could bring from w's stock left, with
    /// <paramref name="freedShare"/> of <paramref name="freed"/> (the load of the route the truck is taken from) given back to it.
    /// </summary>
    private static double OneTruckBrings(ReliefProblem problem, int d, int w, double missing, double[][] left, double[]? freed, double freedShare)
    {
        double kg = 0, m3 = 0;
        for (var i = 0; i < problem.Items.Length; i++)
        {
            if (problem.Kit[d][i] == 0) continue;
            var units = Math.Min(Math.Max(0, left[w][i] + (freed is null ? 0 : freed[i] * freedShare)), problem.Rate(d, i) * missing);
            kg += units * problem.WeightKg[i];
            m3 += units * problem.VolumeM3[i];
        }
        var wh = problem.Warehouses[w];
        var share = Math.Min(1, Math.Min(wh.TruckCapacityKg / Math.Max(kg, 1e-9), wh.TruckCapacityM3 / Math.Max(m3, 1e-9)));
        return kg * share;
    }
}
