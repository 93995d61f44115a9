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
/// </summary>
internal static class ChurnBench
{
    public static int Run(string[] args)
    {
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        var replans = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 12;
        var seed = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2026;
        if (replans < 1)
        {
            Console.WriteLine("usage: dotnet run -c Release --project bench/HuaduDispatch.Bench -- relief-churn [replans=12] [seed=2026]");
            return 1;
        }
        var now = new DateTimeOffset(2026, 7, 15, 14, 0, 0, TimeSpan.FromHours(8));
        var (demands, warehouses, items) = ReliefBench.Instance(ReliefBench.LoadReference(), seed, now);
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
            var (sumBefore, dropped, changed, same, maxMs, droppedNoGain) = (0, 0, 0, 0, 0.0, 0);
            var line = new List<string>();
            foreach (var (change, sd, sw) in steps)
            {
                var loads = givenInForce ? before.Allocations.Select(a => new ReliefLoad(a.DemandId, a.WarehouseId, a.ItemCode, a.Quantity)).ToList() : null;
                var timer = Stopwatch.StartNew();
                var after = planner.Plan(sd, sw, items, now, loads);
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
