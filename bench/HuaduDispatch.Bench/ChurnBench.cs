using System.Diagnostics;
using System.Globalization;
using HuaduDispatch.Grains.Dispatch.Recommendation;
using HuaduDispatch.Grains.Relief;

/// <summary>
/// Convoy churn over re-plans (`-- relief-churn [replans=12] [seed=2026]`): the benchmark's typhoon surge, then a chain of
/// re-plans at the 500 ms aim, each after one small change in the district (in turn: nothing, a new assessment of one incident,
/// a new small incident, a stock receipt at one warehouse). Each re-plan is given the plan before it as the plan in force, as
/// the coordinator does; the reference is the same chain planned afresh each time (no plan in force), in the same run. It
/// counts, per re-plan, the routes (warehouse → incident) of the plan before that the new plan drops (their convoys are
/// withdrawn), changes (amended in place) or keeps as they are, and the weighted people covered. "+N" after a re-plan's count
/// is how many more weighted people it covers than the plan before it.
/// With <c>loading</c> as the third argument every fifth change is instead three convoys starting to load, as on a node: each
/// chain picks three routes of its own plan before (the same draws in both chains). They leave the plan in force, and their
/// trucks, stock and the people their kits cover leave the problem (the coordinator counts the trucks as held and the stock as
/// reserved, and the demand what is on the way), until the end of the chain. With <c>arriving</c> (which loads as well) the
/// chains start from the surge's first ten incidents, and the other changes are the surge's next incidents, one per re-plan.
/// Since the twenty-seventh session each re-plan is planned as the coordinator plans (<see cref="LateRelief"/>: the plan for
/// the deadline, then late relief and partial kits, each given the plan in force), so the routes counted are the convoys a node
/// would commit; before, it was the plan for the deadline alone.
/// </summary>
internal static class ChurnBench
{
    public static int Run(string[] args)
    {
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        var replans = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 12;
        var seed = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2026;
        var arriving = args.Length > 2 && args[2] == "arriving";
        var loading = arriving || (args.Length > 2 && args[2] == "loading");
        if (replans < 1 || (args.Length > 2 && !loading))
        {
            Console.WriteLine("usage: dotnet run -c Release --project bench/HuaduDispatch.Bench -- relief-churn [replans=12] [seed=2026] [loading|arriving]");
            return 1;
        }
        var now = new DateTimeOffset(2026, 7, 15, 14, 0, 0, TimeSpan.FromHours(8));
        var (surge, warehouses, items) = ReliefBench.Instance(ReliefBench.LoadReference(), seed, now);
        // Arriving: the surge's incidents come in one per re-plan, after the first ten.
        var demands = arriving ? surge[..10] : surge;
        var travel = new TravelTimeModel(new TravelTimeOptions());
        var planner = new OptimalReliefPlanner(travel, new ReliefPlannerOptions { TimeLimit = TimeSpan.FromMilliseconds(500) });
        for (var i = 0; i < 2; i++) planner.Plan(demands, warehouses, items, now); // warm-up

        // The district's changes, the same for both chains.
        var rng = new Random(seed);
        var steps = new List<(string Change, List<ReliefDemandInput> Demands, List<ReliefWarehouse> Warehouses)>();
        var (d, w) = (demands, warehouses);
        for (var i = 1; i <= replans; i++)
        {
            string change;
            if (loading && i % 5 == 0)
            {
                steps.Add((Loads, d, w)); // each chain loads from its own plan before (OnTheWay.Load)
                continue;
            }
            if (arriving)
            {
                var next = d.Count < surge.Count ? surge[d.Count] : null;
                if (next is not null) d = [.. d, next];
                steps.Add((next is null ? "nothing" : $"{next.DemandId} reported", d, w));
                continue;
            }
            switch (i % 4)
            {
                case 1:
                    change = "nothing";
                    break;
                case 2:
                    var k = rng.Next(d.Count);
                    var grown = d[k] with { People = (int)Math.Ceiling(d[k].People * 1.1), Kit = Scaled(d[k].Kit, 1.1) };
                    d = [.. d.Select((x, j) => j == k ? grown : x)];
                    change = $"{grown.DemandId} reassessed +10 %";
                    break;
                case 3:
                    var like = d[rng.Next(d.Count)];
                    var people = 150 + rng.Next(250);
                    var added = like with { DemandId = $"NEW-{i}", IncidentId = $"NEW-{i}", People = people, Kit = Scaled(like.Kit, people / (double)like.People) };
                    d = [.. d, added];
                    change = $"new incident {added.DemandId} ({people} people)";
                    break;
                default:
                    var h = rng.Next(w.Count);
                    var item = w[h].Available.Keys.OrderBy(x => x, StringComparer.Ordinal).First();
                    var received = w[h] with { Available = w[h].Available.ToDictionary(a => a.Key, a => a.Key == item ? a.Value + Math.Max(10, a.Value / 5) : a.Value) };
                    w = [.. w.Select((x, j) => j == h ? received : x)];
                    change = $"{received.Id} receives {item}";
                    break;
            }
            steps.Add((change, d, w));
        }

        var start = planner.Plan(demands, warehouses, items, now);
        Console.WriteLine($"Convoy churn, seed {seed}: {demands.Count} demands, {warehouses.Count} warehouses, {replans} re-plans at 500 ms " +
            $"from one start plan ({Routes(start).Count} routes, {start.PeopleCoveredWeighted:0} weighted people); {Environment.ProcessorCount} cores");
        var totals = new Dictionary<string, (int Before, int Dropped, int Changed, int Same, double Weighted, double MaxMs)>();
        foreach (var (name, givenInForce) in new[] { ("given the plan in force", true), ("planned afresh (reference)", false) })
        {
            var before = start;
            var onTheWay = new OnTheWay(new Random(seed + 1));
            var (sumBefore, dropped, changed, same, maxMs, droppedNoGain) = (0, 0, 0, 0, 0.0, 0);
            var line = new List<string>();
            foreach (var (change, stepD, stepW) in steps)
            {
                if (change == Loads) before = onTheWay.Load(before, stepD);
                var (sd, sw) = (onTheWay.Demands(stepD), onTheWay.Warehouses(stepW));
                var loads = givenInForce ? before.Allocations.Select(a => new ReliefLoad(a.DemandId, a.WarehouseId, a.ItemCode, a.Quantity)).ToList() : null;
                var timer = Stopwatch.StartNew();
                // As the coordinator plans: the plan for the deadline, then late relief and partial kits (LateRelief), each given the plan in force.
                var after = LateRelief.Plan(planner, sd, sd.ToDictionary(x => x.DemandId, x => x.Deadline + LateAfterDeadline, StringComparer.Ordinal),
                    sw, items, now, loads);
                maxMs = Math.Max(maxMs, timer.Elapsed.TotalMilliseconds);
                var (b, a) = (Routes(before), Routes(after));
                var (dr, ch, sa) = (0, 0, 0);
                foreach (var (route, lines) in b)
                {
                    if (!a.TryGetValue(route, out var now2)) dr++;
                    else if (Same(lines, now2)) sa++;
                    else ch++;
                }
                (sumBefore, dropped, changed, same) = (sumBefore + b.Count, dropped + dr, changed + ch, same + sa);
                // Dropped routes that bought no more weighted people than the plan before covered.
                if (after.PeopleCoveredWeighted <= before.PeopleCoveredWeighted + 1e-6) droppedNoGain += dr;
                var gain = after.PeopleCoveredWeighted - before.PeopleCoveredWeighted;
                line.Add($"{dr}/{b.Count}{(gain > 1e-6 ? $"+{gain:0}" : "")}");
                before = after;
            }
            totals[name] = (sumBefore, dropped, changed, same, before.PeopleCoveredWeighted, maxMs);
            Console.WriteLine($"{name,-28} routes dropped per re-plan {string.Join(" ", line)}; in all {dropped} dropped ({droppedNoGain} " +
                $"at re-plans covering no more weighted people), {changed} changed, " +
                $"{same} kept as they were, of {sumBefore}; weighted people at the end {before.PeopleCoveredWeighted:0}; slowest re-plan {maxMs:0} ms");
        }
        var (g, f) = (totals["given the plan in force"], totals["planned afresh (reference)"]);
        Console.WriteLine($"Given the plan in force / afresh: routes dropped x{Ratio(g.Dropped, f.Dropped)}, kept as they were x{Ratio(g.Same, f.Same)}, " +
            $"weighted people at the end x{Ratio(g.Weighted, f.Weighted)}");
        Console.WriteLine("Changes: " + string.Join("; ", steps.Select((s, i) => $"{i + 1} {s.Change}")));
        return 0;
    }

    private const string Loads = "three convoys start loading";

    /// <summary>Late relief runs to 24 h after the disaster (the default <c>Relief:LateReliefUntil</c>), 21 h after the 3 h deadline.</summary>
    private static readonly TimeSpan LateAfterDeadline = TimeSpan.FromHours(21);

    /// <summary>
    /// One chain's convoys that started loading: their lines per demand and per warehouse, and their trucks. The problem a
    /// re-plan sees is the district's inputs less these, as the coordinator and the demands count them.
    /// </summary>
    private sealed class OnTheWay(Random draws)
    {
        private readonly Dictionary<string, Dictionary<string, long>> _toDemand = new(StringComparer.Ordinal);
        private readonly Dictionary<string, Dictionary<string, long>> _fromWarehouse = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _trucks = new(StringComparer.Ordinal);

        /// <summary>Three routes of <paramref name="plan"/> start loading; the plan without them (the weighted people they cover taken off).</summary>
        public ReliefPlanResult Load(ReliefPlanResult plan, IReadOnlyList<ReliefDemandInput> demands)
        {
            var ofPlan = Routes(plan);
            var routes = ofPlan.Keys.Order().ToList();
            var picked = new HashSet<(string, string)>();
            while (picked.Count < Math.Min(3, routes.Count)) picked.Add(routes[draws.Next(routes.Count)]);
            var before = Demands(demands).ToDictionary(x => x.DemandId, StringComparer.Ordinal);
            foreach (var a in plan.Allocations.Where(a => picked.Contains((a.WarehouseId, a.DemandId))))
            {
                Add(_toDemand, a.DemandId, a.ItemCode, a.Quantity);
                Add(_fromWarehouse, a.WarehouseId, a.ItemCode, a.Quantity);
            }
            foreach (var route in picked) _trucks[route.Item1] = _trucks.GetValueOrDefault(route.Item1) + ofPlan[route].Trucks;
            // The people the loading kits cover are no longer the plan's to cover.
            var after = Demands(demands).ToDictionary(x => x.DemandId, StringComparer.Ordinal);
            var gone = before.Values.Sum(x => x.Priority * (x.People - (after.TryGetValue(x.DemandId, out var y) ? y.People : 0)));
            return plan with
            {
                Allocations = [.. plan.Allocations.Where(a => !picked.Contains((a.WarehouseId, a.DemandId)))],
                PeopleCoveredWeighted = plan.PeopleCoveredWeighted - gone,
            };
        }

        /// <summary>Each demand less what is on the way: kit less the loads, people less those whose whole kit they hold.</summary>
        public List<ReliefDemandInput> Demands(IReadOnlyList<ReliefDemandInput> demands) =>
        [
            .. demands.Select(x =>
            {
                if (!_toDemand.TryGetValue(x.DemandId, out var sent)) return x;
                long covered = x.People;
                foreach (var (item, need) in x.Kit)
                    if (need > 0) covered = Math.Min(covered, sent.GetValueOrDefault(item) * x.People / need);
                var kit = x.Kit.ToDictionary(k => k.Key, k => Math.Max(0, k.Value - sent.GetValueOrDefault(k.Key)), StringComparer.Ordinal);
                return x with { People = x.People - (int)covered, Kit = kit };
            }).Where(x => x.People > 0 && x.Kit.Values.Any(q => q > 0)),
        ];

        /// <summary>Each warehouse less the loading convoys' trucks and stock.</summary>
        public List<ReliefWarehouse> Warehouses(IReadOnlyList<ReliefWarehouse> warehouses) =>
        [
            .. warehouses.Select(x => !_trucks.TryGetValue(x.Id, out var held) ? x : x with
            {
                Trucks = Math.Max(0, x.Trucks - held),
                Available = x.Available.ToDictionary(a => a.Key, a => Math.Max(0, a.Value - _fromWarehouse[x.Id].GetValueOrDefault(a.Key)), StringComparer.Ordinal),
            }),
        ];

        private static void Add(Dictionary<string, Dictionary<string, long>> sums, string key, string item, long quantity)
        {
            if (!sums.TryGetValue(key, out var lines)) sums[key] = lines = new(StringComparer.Ordinal);
            lines[item] = lines.GetValueOrDefault(item) + quantity;
        }
    }

    private static string Ratio(double a, double b) => b > 0 ? (a / b).ToString("0.00", CultureInfo.InvariantCulture) : "inf";

    private static Dictionary<string, long> Scaled(IReadOnlyDictionary<string, long> kit, double factor) =>
        kit.ToDictionary(k => k.Key, k => (long)Math.Ceiling(k.Value * factor), StringComparer.Ordinal);

    /// <summary>A plan's routes (warehouse, demand) with their trucks and the total of each item.</summary>
    private static Dictionary<(string, string), (int Trucks, Dictionary<string, long> Lines)> Routes(ReliefPlanResult plan) =>
        plan.Allocations.GroupBy(a => (a.WarehouseId, a.DemandId)).ToDictionary(g => g.Key,
            g => (g.First().Trucks, g.GroupBy(a => a.ItemCode).ToDictionary(x => x.Key, x => x.Sum(a => a.Quantity), StringComparer.Ordinal)));

    private static bool Same((int Trucks, Dictionary<string, long> Lines) a, (int Trucks, Dictionary<string, long> Lines) b) =>
        a.Trucks == b.Trucks && a.Lines.Count == b.Lines.Count && a.Lines.All(l => b.Lines.TryGetValue(l.Key, out var q) && q == l.Value);
}
