using HuaduDispatch.Grains.Dispatch.Recommendation;

namespace HuaduDispatch.Grains.Relief;

/// <summary>
/// The "nearest warehouse first" rule a duty officer applies by hand, kept only as the baseline <see cref="OptimalReliefPlanner"/>
/// is measured against. Demands by descending priority, then earliest deadline; each takes what the nearest warehouses in time can
/// give (stock left, trucks left, the load scaled down evenly when the trucks cannot carry all of it); covered people are
/// min over items of floor(supplied ÷ per-person rate), and what is beyond the kits of those people goes back to the warehouses,
/// farthest first, with the trucks it frees.
/// </summary>
/// <remarks>
/// It spends the stock and trucks of a warehouse that a later demand can reach on an earlier demand that had other options, and
/// takes no account of other demands' reach, so it can cover fewer people than the optimum. Same assumptions and result rules as
/// <see cref="IReliefPlanner"/>.
/// </remarks>
public sealed class GreedyReliefPlanner(TravelTimeModel travel, ReliefPlannerOptions options) : IReliefPlanner
{
    private readonly TravelTimeModel _travel = travel ?? throw new ArgumentNullException(nameof(travel));
    private readonly ReliefPlannerOptions _options = Checked(options);

    public DateTimeOffset? Arrival(ReliefWarehouse warehouse, ReliefDemandInput demand, DateTimeOffset now) =>
        ReliefProblem.Arrival(warehouse, demand, now, _travel, _options.Loading).Arrival;

    public ReliefPlanResult Plan(IReadOnlyList<ReliefDemandInput> demands, IReadOnlyList<ReliefWarehouse> warehouses,
        IReadOnlyDictionary<string, ReliefItemSpec> items, DateTimeOffset now, IReadOnlyList<ReliefLoad>? inForce = null)
    {
        // The baseline plans from scratch: the plan in force is not its concern.
        var problem = ReliefProblem.Create(demands, warehouses, items, now, _travel, _options);
        return problem.Assemble(Shipments(problem), ReliefPlanStatus.Heuristic);
    }

    /// <summary>The greedy plan as shipments [route][item]; <see cref="OptimalReliefPlanner"/> also starts its search from it.</summary>
    internal static long[]?[] Shipments(ReliefProblem problem) => Extend(problem, new long[]?[problem.Routes.Length]);

    /// <summary>
    /// <paramref name="start"/> (a plan of <paramref name="problem"/> that fits its stock and trucks, e.g. what still holds of
    /// the plan in force) with what the greedy rule adds from the stock and trucks it leaves: each demand, in the greedy order,
    /// takes the rest of its kit on routes <paramref name="start"/> does not use, and keeps what makes whole kits with what
    /// <paramref name="start"/> already sends it. The loads of <paramref name="start"/> are left as they are. With an empty
    /// start this is the greedy plan.
    /// </summary>
    internal static long[]?[] Extend(ReliefProblem problem, long[]?[] start)
    {
        ArgumentNullException.ThrowIfNull(start);
        var itemCount = problem.Items.Length;
        var shipped = start.Select(l => l is null ? null : (long[])l.Clone()).ToArray();
        var stock = problem.Available.Select(a => (long[])a.Clone()).ToArray();
        var trucks = problem.Warehouses.Select(w => w.Trucks).ToArray();
        var given = new long[problem.Demands.Length][];
        for (var d = 0; d < given.Length; d++) given[d] = new long[itemCount];
        for (var r = 0; r < shipped.Length; r++)
        {
            if (shipped[r] is not { } load) continue;
            var (w, d) = (problem.Routes[r].Warehouse, problem.Routes[r].Demand);
            trucks[w] -= problem.TripsFor(w, load);
            for (var i = 0; i < itemCount; i++)
            {
                stock[w][i] -= load[i];
                given[d][i] += load[i];
            }
        }

        var order = Enumerable.Range(0, problem.Demands.Length)
            .Where(d => problem.Demands[d].People > 0)
            .OrderByDescending(d => problem.Demands[d].Priority)
            .ThenBy(d => problem.Demands[d].Deadline); // stable: input order on ties
        foreach (var d in order)
        {
            var need = problem.Kit[d].Select((q, i) => Math.Max(0, q - given[d][i])).ToArray();
            var taken = (long[])given[d].Clone();
            var added = new HashSet<int>();
            foreach (var r in problem.RoutesOfDemand[d]) // nearest first
            {
                var w = problem.Routes[r].Warehouse;
                if (trucks[w] <= 0 || shipped[r] is not null) continue;
                var load = new long[itemCount];
                var any = false;
                for (var i = 0; i < itemCount; i++)
                {
                    load[i] = Math.Min(need[i], stock[w][i]);
                    any |= load[i] > 0;
                }
                if (!any) continue;
                if (problem.TripsFor(w, load) > trucks[w]) ScaleToFit(problem, w, trucks[w], load);
                var trips = problem.TripsFor(w, load);
                if (trips == 0) continue;
                trucks[w] -= trips;
                for (var i = 0; i < itemCount; i++)
                {
                    stock[w][i] -= load[i];
                    need[i] -= load[i];
                    taken[i] += load[i];
                }
                shipped[r] = load;
                added.Add(r);
            }

            // Keep only the whole kits: the rest of what this step added goes back, taken off the farthest warehouses first.
            var covered = problem.Covered(d, taken);
            var people = problem.Demands[d].People;
            var routes = problem.RoutesOfDemand[d].Where(added.Contains).ToArray();
            var tripsBefore = routes.ToDictionary(r => r, r => shipped[r] is { } l ? problem.TripsFor(problem.Routes[r].Warehouse, l) : 0);
            for (var i = 0; i < itemCount; i++)
            {
                if (problem.Kit[d][i] == 0) continue;
                var keep = (long)(((Int128)problem.Kit[d][i] * covered + people - 1) / people);
                var surplus = taken[i] - keep;
                for (var k = routes.Length - 1; k >= 0 && surplus > 0; k--)
                {
                    if (shipped[routes[k]] is not { } load || load[i] == 0) continue;
                    var back = Math.Min(surplus, load[i]);
                    load[i] -= back;
                    stock[problem.Routes[routes[k]].Warehouse][i] += back;
                    surplus -= back;
                }
            }
            foreach (var r in routes)
            {
                if (shipped[r] is not { } load) continue;
                var after = problem.TripsFor(problem.Routes[r].Warehouse, load);
                trucks[problem.Routes[r].Warehouse] += tripsBefore[r] - after;
                if (after == 0) shipped[r] = null;
            }
        }
        return shipped;
    }

    /// <summary>Scales every item of the load by the same factor so it fits the trucks left, rounding down to whole units.</summary>
    private static void ScaleToFit(ReliefProblem problem, int w, int trucksLeft, long[] load)
    {
        var wh = problem.Warehouses[w];
        double weight = 0, volume = 0;
        for (var i = 0; i < load.Length; i++)
        {
            weight += load[i] * problem.WeightKg[i];
            volume += load[i] * problem.VolumeM3[i];
        }
        var factor = Math.Min(weight > 0 ? trucksLeft * wh.TruckCapacityKg / weight : 1, volume > 0 ? trucksLeft * wh.TruckCapacityM3 / volume : 1);
        for (var i = 0; i < load.Length; i++) load[i] = (long)Math.Floor(load[i] * factor);
        // Floating rounding can leave the load a hair too big: drop units of the bulkiest item (share of a truck) until it fits.
        double Share(int i) => problem.WeightKg[i] / wh.TruckCapacityKg + problem.VolumeM3[i] / wh.TruckCapacityM3;
        while (problem.TripsFor(w, load) > trucksLeft)
        {
            var bulkiest = -1;
            for (var i = 0; i < load.Length; i++)
                if (load[i] > 0 && (bulkiest < 0 || Share(i) > Share(bulkiest))) bulkiest = i;
            load[bulkiest]--;
        }
    }

    private static ReliefPlannerOptions Checked(ReliefPlannerOptions options)
    {
        ReliefProblem.ValidateOptions(options);
        return options;
    }
}
