using Google.OrTools.LinearSolver;

namespace HuaduDispatch.Grains.Relief;

/// <summary>
/// Two ways to turn the one-truck LP's fractional trucks per route into whole trucks, the start of a surge's truck search. They
/// round differently and neither wins on every surge, so the planner judges both with the flow LP and starts from the better.
/// </summary>
internal static class TruckRounding
{
    /// <summary>Slack for the LP's own tolerances when a fractional truck count is taken as whole.</summary>
    private const double Tolerance = 1e-6;

    /// <summary>
    /// Whichever of two truck plans has flows that cover more (one flow-LP solve each, about 15 ms on the benchmark's surge);
    /// <paramref name="first"/> on a tie. The flows are left at the last solve's, which the search solves again anyway.
    /// </summary>
    public static int[] Better(TruckFlows flows, int[] first, int[] second)
    {
        if (first.AsSpan().SequenceEqual(second)) return first;
        var firstValue = flows.Solve(first);
        return flows.Solve(second) > firstValue + 1e-6 ? second : first;
    }

    /// <summary>
    /// Each warehouse's trucks rounded down, then its spare trucks to the routes with the largest fractions, whatever demand they
    /// serve (a demand the LP gave five routes of 0.4 truck may get five trucks).
    /// </summary>
    public static int[] ByFraction(ReliefProblem problem, double[] lpTrucks)
    {
        var trucks = new int[lpTrucks.Length];
        var spare = problem.Warehouses.Select(w => w.Trucks).ToArray();
        for (var r = 0; r < lpTrucks.Length; r++)
        {
            trucks[r] = Math.Min((int)Math.Floor(lpTrucks[r] + Tolerance), spare[problem.Routes[r].Warehouse]);
            spare[problem.Routes[r].Warehouse] -= trucks[r];
        }
        foreach (var r in Enumerable.Range(0, lpTrucks.Length).OrderByDescending(r => lpTrucks[r] - trucks[r]))
        {
            var w = problem.Routes[r].Warehouse;
            if (lpTrucks[r] - trucks[r] <= Tolerance || spare[w] == 0) continue;
            trucks[r]++;
            spare[w]--;
        }
        return trucks;
    }

    /// <summary>
    /// Each route's trucks rounded down or up, with each demand getting at most its LP total rounded up (Σ over its routes) and each
    /// warehouse at most its fleet; among those, the rounding that maximises Σ priority × the fraction rounded up. The five routes
    /// of 0.4 truck then give two trucks, on the two routes the LP used most. The constraints form a bipartite (warehouse × demand)
    /// transportation problem with whole bounds, whose LP vertices are whole, so GLOP solves it exactly in a few milliseconds.
    /// Falls back to <see cref="ByFraction"/> if GLOP finds no rounding (it always should: rounding every route down is feasible).
    /// </summary>
    public static int[] PerDemand(ReliefProblem problem, double[] lpTrucks)
    {
        using var solver = Solver.CreateSolver("GLOP") ?? throw new InvalidOperationException("OR-Tools has no GLOP on this platform.");
        var totals = new double[problem.Demands.Length];
        for (var r = 0; r < lpTrucks.Length; r++) totals[problem.Routes[r].Demand] += Math.Max(0, lpTrucks[r]);
        var trucks = new Variable?[lpTrucks.Length];
        var fleet = new Constraint?[problem.Warehouses.Length];
        var demand = new Constraint?[problem.Demands.Length];
        var objective = solver.Objective();
        for (var r = 0; r < lpTrucks.Length; r++)
        {
            if (lpTrucks[r] <= Tolerance) continue;
            var (w, d) = (problem.Routes[r].Warehouse, problem.Routes[r].Demand);
            var size = problem.Warehouses[w].Trucks;
            var down = Math.Min(Math.Floor(lpTrucks[r] + Tolerance), size);
            var up = Math.Min(Math.Ceiling(lpTrucks[r] - Tolerance), size);
            var t = trucks[r] = solver.MakeNumVar(down, Math.Max(down, up), "");
            (fleet[w] ??= solver.MakeConstraint(0, size, "")).SetCoefficient(t, 1);
            (demand[d] ??= solver.MakeConstraint(0, Math.Ceiling(totals[d] - Tolerance), "")).SetCoefficient(t, 1);
            objective.SetCoefficient(t, problem.Demands[d].Priority * (lpTrucks[r] - down));
        }
        objective.SetMaximization();
        // Not OPTIMAL only if the rounded-down trucks overfill a fleet (an LP point outside its tolerances): round by fraction.
        if (solver.Solve() != Solver.ResultStatus.OPTIMAL) return ByFraction(problem, lpTrucks);
        var whole = new int[lpTrucks.Length];
        for (var r = 0; r < whole.Length; r++)
            if (trucks[r] is { } t) whole[r] = (int)Math.Round(t.SolutionValue());
        return whole;
    }
}
