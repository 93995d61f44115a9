using System.Diagnostics;
using System.Globalization;
using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Dispatch.Recommendation;
using HuaduDispatch.Grains.Reference;
using HuaduDispatch.Grains.Relief;

/// <summary>
/// Typhoon surge relief benchmark (`-- relief [runs=10] [seed=2026]`): 50 concurrent demands in the 12 areas, the 17 shipped
/// warehouses plus 13 synthetic ones, 15 item types per kit, deadline now + 3 h. Times the optimal planner against the greedy
/// baseline on the same instance and compares people covered, against the 500 ms aim.
/// </summary>
internal static class ReliefBench
{
    private const double AimMs = 500;

    // Area centroids of huadu-reference.json (the digest's approximations), with populations for weighting where demands fall.
    private static readonly (string Id, double Lat, double Lon, int Population)[] Areas =
    [
        ("xinhua", 23.40, 113.22, 235000), ("xinya", 23.42, 113.17, 82000), ("xiuquan", 23.38, 113.24, 128000),
        ("huacheng", 23.37, 113.20, 112000), ("shiling", 23.46, 113.15, 170000), ("huashan", 23.45, 113.31, 75000),
        ("huadong", 23.43, 113.40, 88000), ("tanbu", 23.33, 113.08, 62000), ("chini", 23.38, 113.04, 58000),
        ("timian", 23.57, 113.29, 12000), ("auto-city", 23.36, 113.14, 45000), ("airport-zone", 23.40, 113.29, 40200),
    ];

    /// <summary>The typhoon supplement that brings the default standard's 10 item types to 15 (benchmark assumptions).</summary>
    public static ReliefStandard TyphoonStandard { get; } = ReliefStandard.Default.With(
        new("raincoat", ReliefGroup.Affected, 1, "Benchmark assumption: one raincoat per affected person in a typhoon"),
        new("life-jacket", ReliefGroup.Affected, 1.0 / 10, "Benchmark assumption: one life jacket per 10 affected persons for moving through flood water"),
        new("quilt", ReliefGroup.Relocated, 1.0 / 4, "Benchmark assumption: a quilt per 4 relocated persons for the elderly and infants in shelters"),
        new("generator", ReliefGroup.Relocated, 1.0 / 200, "Benchmark assumption: one 5 kW generator per 200 relocated persons for shelter power"),
        new("protective-mask", ReliefGroup.Relocated, 1.0 / 50, "Benchmark assumption: one box of 50 masks per 50 relocated persons in crowded shelters"));

    public static int Run(string[] args)
    {
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
        var seed = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2026;
        if (runs < 1)
        {
            Console.WriteLine("usage: dotnet run -c Release --project bench/HuaduDispatch.Bench -- relief [runs=10] [seed=2026]");
            return 1;
        }

        var reference = LoadReference();
        var now = new DateTimeOffset(2026, 7, 15, 14, 0, 0, TimeSpan.FromHours(8));
        var (demands, warehouses, items) = Instance(reference, seed, now);
        var travel = new TravelTimeModel(new TravelTimeOptions());
        var options = new ReliefPlannerOptions();
        var aimOptions = options with { TimeLimit = TimeSpan.FromMilliseconds(AimMs) };
        // The aim's budget with the surge's two starts run the other way (side by side or one after the other; the default
        // depends on the cores, see ReliefPlannerOptions.ParallelStarts), so that both are measured on any machine.
        var otherOptions = aimOptions with { ParallelStarts = !aimOptions.ParallelStarts };
        IReliefPlanner optimal = new OptimalReliefPlanner(travel, options), atAim = new OptimalReliefPlanner(travel, aimOptions),
            atAimOther = new OptimalReliefPlanner(travel, otherOptions), greedy = new GreedyReliefPlanner(travel, options);
        string Starts(ReliefPlannerOptions o) => o.ParallelStarts ? "starts side by side" : "starts one after the other";

        var kitTonnes = demands.Sum(d => d.Kit.Sum(k => k.Value * items[k.Key].WeightKg)) / 1000;
        var kitM3 = demands.Sum(d => d.Kit.Sum(k => k.Value * items[k.Key].VolumeM3));
        Console.WriteLine($"Typhoon surge relief plan, seed {seed}: {demands.Count} demands, {demands.Sum(d => d.People)} affected people " +
            $"(priorities 1-4, deadline now + 3 h), {demands.SelectMany(d => d.Kit.Keys).Distinct().Count()} item types per kit, " +
            $"kits {kitTonnes:0} t / {kitM3:0} m3; {warehouses.Count} warehouses ({reference.Warehouses.Count} shipped), " +
            $"{warehouses.Sum(w => w.Trucks)} trucks carrying {warehouses.Sum(w => w.Trucks * w.TruckCapacityKg) / 1000:0} t / " +
            $"{warehouses.Sum(w => w.Trucks * w.TruckCapacityM3):0} m3 in one trip each; {Environment.ProcessorCount} cores, " +
            $"solver {options.Solver}, {runs} timed runs each after warm-up");

        for (var i = 0; i < 2; i++)
        {
            optimal.Plan(demands, warehouses, items, now);
            atAim.Plan(demands, warehouses, items, now);
            atAimOther.Plan(demands, warehouses, items, now);
        }
        for (var i = 0; i < 30; i++) greedy.Plan(demands, warehouses, items, now); // tiered JIT for the cheap one
        Thread.Sleep(300);
        var (oTimes, o, oWeighted) = Time(optimal, demands, warehouses, items, now, runs);
        var (aTimes, a, aWeighted) = Time(atAim, demands, warehouses, items, now, runs);
        var (xTimes, x, xWeighted) = Time(atAimOther, demands, warehouses, items, now, runs);
        var (gTimes, g, gWeighted) = Time(greedy, demands, warehouses, items, now, runs);

        Console.WriteLine("Each row: the plan of the median run by weighted people covered; the range is over all runs.");
        Row($"Optimal, budget {options.TimeLimit.TotalMilliseconds:0} ms (default)", oTimes, o, oWeighted);
        Row($"Optimal, budget {AimMs:0} ms (the aim)", aTimes, a, aWeighted);
        Row($"  the same, {Starts(otherOptions)}", xTimes, x, xWeighted);
        Row("Greedy nearest-first (baseline)", gTimes, g, gWeighted);
        var people = demands.Sum(d => d.People);
        var weightedAll = demands.Sum(d => d.Priority * d.People);
        Console.WriteLine($"Coverage of all affected: optimal {o.PeopleCovered / (double)people:P1} ({o.PeopleCoveredWeighted / weightedAll:P1} weighted), " +
            $"at the aim {a.PeopleCovered / (double)people:P1} ({a.PeopleCoveredWeighted / weightedAll:P1}), " +
            $"greedy {g.PeopleCovered / (double)people:P1} ({g.PeopleCoveredWeighted / weightedAll:P1}); the trucks, one trip each, are the limit");
        Console.WriteLine($"Proven bound (aggregate relaxation) {o.CoverageUpperBound:0} weighted: optimal reaches {o.PeopleCoveredWeighted / o.CoverageUpperBound:P1} " +
            $"of it, at the aim {a.PeopleCoveredWeighted / o.CoverageUpperBound:P1}, greedy {g.PeopleCoveredWeighted / o.CoverageUpperBound:P1}");
        Console.WriteLine($"Optimal / greedy: weighted people x{Ratio(o.PeopleCoveredWeighted, g.PeopleCoveredWeighted)} " +
            $"(x{Ratio(a.PeopleCoveredWeighted, g.PeopleCoveredWeighted)} at the aim), people x{Ratio(o.PeopleCovered, g.PeopleCovered)}, " +
            $"ton-km x{Ratio(o.TonKm, g.TonKm)}, ton-km per covered person " +
            $"x{Ratio(o.TonKm / Math.Max(1, o.PeopleCovered), g.TonKm / Math.Max(1, g.PeopleCovered))}, median time x{Median(oTimes) / Median(gTimes):0}");
        Console.WriteLine("Optimal shortfalls by reason: " + string.Join(", ", o.Shortfalls.GroupBy(s => s.Reason).OrderBy(s => s.Key)
            .Select(s => $"{s.Key} {s.Count()} lines / {s.Sum(x => x.Missing)} units")));
        Console.WriteLine($"Surge starts: {Starts(options)} by default on {Environment.ProcessorCount} cores; at the aim {Starts(otherOptions)}: " +
            $"{Median(xWeighted):0} against {Median(aWeighted):0} weighted people (medians)");
        foreach (var (name, times, result) in new[] { ("default budget", oTimes, o), ("500 ms budget", aTimes, a), ($"500 ms budget, {Starts(otherOptions)}", xTimes, x) })
        {
            var median = Median(times);
            Console.WriteLine($"Optimal ({name}) median {median:0} ms (p95 {Percentile(times, 0.95):0} ms) vs the {AimMs:0} ms aim: " +
                $"{(median <= AimMs ? "within" : "OVER")} ({median / AimMs:P0} of the aim); status {result.Status}");
        }

        // Re-plans: the coordinator gives each re-plan the convoys it replaces (the plan in force). With nothing changed between
        // them, a chain of plans at the aim's budget, each given the one before, shows what a surge's plan does over re-plans.
        var chain = new List<(double Ms, double Weighted)>();
        ReliefPlanResult? inForce = null;
        for (var i = 0; i < runs; i++)
        {
            var loads = inForce?.Allocations.Select(l => new ReliefLoad(l.DemandId, l.WarehouseId, l.ItemCode, l.Quantity)).ToList();
            var sw = Stopwatch.StartNew();
            inForce = atAim.Plan(demands, warehouses, items, now, loads);
            chain.Add((sw.Elapsed.TotalMilliseconds, inForce.PeopleCoveredWeighted));
        }
        Console.WriteLine($"Re-plans at the aim, each given the plan before it as the plan in force: weighted people " +
            string.Join(" -> ", chain.Select(c => c.Weighted.ToString("0", CultureInfo.InvariantCulture))) +
            $" ({inForce!.PeopleCoveredWeighted / o.CoverageUpperBound:P1} of the bound at the end); median {Median([.. chain.Select(c => c.Ms)]):0} ms, " +
            $"max {chain.Max(c => c.Ms):0} ms");

        // Late relief (LateRelief, as the coordinator plans): the plan for the deadline, then a second solve from what it leaves
        // for the demands it sends nothing to and those past their deadline. Once as the surge is (every demand before its
        // deadline), once with every fifth demand reported after its deadline; each against the deadline plan alone at the aim.
        var lateUntil = demands.ToDictionary(d => d.DemandId, d => d.Deadline + TimeSpan.FromHours(21), StringComparer.Ordinal);
        var someLate = demands.Select((d, i) => i % 5 == 4 ? d with { Deadline = now.AddHours(-1) } : d).ToList();
        foreach (var (name, set) in new[] { ("the surge as it is", demands), ("every fifth demand past its deadline", someLate) })
        {
            var times = new double[runs];
            var weighted = new double[runs];
            var gained = new double[runs];
            ReliefPlanResult last = ReliefPlanResult.Empty;
            for (var i = 0; i < runs; i++)
            {
                var first = new FirstSolve(atAim);
                var sw = Stopwatch.StartNew();
                last = LateRelief.Plan(first, set, lateUntil, warehouses, items, now);
                times[i] = sw.Elapsed.TotalMilliseconds;
                weighted[i] = last.PeopleCoveredWeighted;
                gained[i] = last.PeopleCoveredWeighted - (first.Result?.PeopleCoveredWeighted ?? 0);
            }
            var lateDemands = last.Allocations.Where(l => l.Eta > set.First(d => d.DemandId == l.DemandId).Deadline).Select(l => l.DemandId).Distinct().Count();
            // People by their deadline include those the late solve reaches in time (LateRelief: what the budget-cut first plan missed).
            Console.WriteLine($"Late relief at the aim, {name}: median {Median(times):0} ms (x{Median(times) / Median(aTimes):0.00} of the deadline " +
                $"plan alone), max {times.Max():0} ms; weighted people by their deadline median {Median(weighted):0} (runs {weighted.Min():0} to " +
                $"{weighted.Max():0}), of which the late solve reached in time median {Median(gained):0} (runs {gained.Min():0} to {gained.Max():0}); " +
                $"last run: {last.PeopleCovered} people by their deadline, {last.LatePeopleCovered} more late ({lateDemands} demands with late convoys)");
        }
        return 0;
    }

    private static string Ratio(double a, double b) => b > 0 ? (a / b).ToString("0.000", CultureInfo.InvariantCulture) : "inf";

    internal static ReferenceDataSet LoadReference()
    {
        const string relative = "src/Silo/ReferenceData/huadu-reference.json";
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var path = Path.Combine(dir.FullName, relative);
                if (File.Exists(path)) return ReferenceDataFile.Load(path).Set;
            }
        throw new FileNotFoundException($"{relative} not found above {Directory.GetCurrentDirectory()}; run from the repository.");
    }

    public static (List<ReliefDemandInput>, List<ReliefWarehouse>, Dictionary<string, ReliefItemSpec>) Instance(ReferenceDataSet reference,
        int seed, DateTimeOffset now)
    {
        var rng = new Random(seed);
        var items = reference.Items.ToDictionary(i => i.Code, ReliefItemSpec.From, StringComparer.Ordinal);

        var warehouses = reference.Warehouses.Select(w => new ReliefWarehouse(w.Id, w.Position, TimeSpan.FromMinutes(w.MobilisationMinutes),
            w.Fleet.Trucks, w.Fleet.CapacityKg, w.Fleet.CapacityM3,
            w.Stock.ToDictionary(s => s.ItemCode, s => s.Quantity, StringComparer.Ordinal))).ToList();
        // 13 synthetic community and enterprise supply points (assumption): near an area centre, 1-4 small trucks, 8-15 item lines.
        var codes = reference.Items.Select(i => i.Code).ToArray();
        for (var s = 0; s < 13; s++)
        {
            var area = Areas[rng.Next(Areas.Length)];
            var stock = codes.OrderBy(_ => rng.Next()).Take(rng.Next(8, 16)).ToDictionary(c => c, c => (long)Math.Round(
                (2000.0 / Math.Max(1, items[c].WeightKg)) * (0.3 + rng.NextDouble())), StringComparer.Ordinal);
            warehouses.Add(new ReliefWarehouse($"WH-SYN-{s + 1:00}", Jitter(rng, area.Lat, area.Lon, 0.03),
                TimeSpan.FromMinutes(rng.Next(20, 61)), rng.Next(1, 5), 2000 + 1000 * rng.Next(0, 4), 10 + 5 * rng.Next(0, 4), stock));
        }

        // 50 demands, placed in areas in proportion to population; typhoon and its secondary hazards.
        IncidentType[] types = [IncidentType.Typhoon, IncidentType.Typhoon, IncidentType.Waterlogging, IncidentType.Flood, IncidentType.Landslide];
        var totalPopulation = Areas.Sum(a => a.Population);
        var demands = new List<ReliefDemandInput>();
        for (var d = 0; d < 50; d++)
        {
            var pick = rng.Next(totalPopulation);
            var area = Areas.First(a => (pick -= a.Population) < 0);
            var affected = rng.Next(100, 3001);
            var relocated = (int)Math.Round(affected * (0.2 + 0.2 * rng.NextDouble()));
            demands.Add(new ReliefDemandInput($"RD-{d + 1:000}", $"INC-{area.Id}-{d % 7 + 1}", Jitter(rng, area.Lat, area.Lon, 0.03),
                types[rng.Next(types.Length)], rng.Next(1, 5), affected, TyphoonStandard.Kit(affected, relocated), now.AddHours(3)));
        }
        return (demands, warehouses, items);
    }

    private static GeoPoint Jitter(Random rng, double lat, double lon, double degrees) =>
        new() { Lat = lat + (rng.NextDouble() * 2 - 1) * degrees, Lon = lon + (rng.NextDouble() * 2 - 1) * degrees };

    /// <summary>
    /// Times <paramref name="runs"/> plans. Under a time budget the plans differ from run to run (how far an LP got), so the
    /// figures printed are the plan of the median run by weighted people covered, beside the range over all runs.
    /// </summary>
    private static (double[] Ms, ReliefPlanResult Median, double[] Weighted) Time(IReliefPlanner planner, List<ReliefDemandInput> demands,
        List<ReliefWarehouse> warehouses, Dictionary<string, ReliefItemSpec> items, DateTimeOffset now, int runs)
    {
        var ms = new double[runs];
        var plans = new ReliefPlanResult[runs];
        for (var i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            plans[i] = planner.Plan(demands, warehouses, items, now);
            ms[i] = sw.Elapsed.TotalMilliseconds;
        }
        var byCoverage = plans.OrderBy(p => p.PeopleCoveredWeighted).ToArray();
        return (ms, byCoverage[(runs - 1) / 2], [.. byCoverage.Select(p => p.PeopleCoveredWeighted)]);
    }

    private static double Median(double[] ms) => Percentile(ms, 0.5);

    private static double Percentile(double[] ms, double p)
    {
        var sorted = ms.Order().ToArray();
        return sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1)];
    }

    private static void Row(string name, double[] ms, ReliefPlanResult r, double[] weighted) =>
        Console.WriteLine($"{name,-40} median {Median(ms),6:0} ms  p95 {Percentile(ms, 0.95),6:0} ms  " +
            $"covered {r.PeopleCovered,6} people, {r.PeopleCoveredWeighted,7:0} weighted (runs {weighted.Min():0} to {weighted.Max():0})  " +
            $"{r.TonKm,7:0} t-km  {r.Allocations.Count,4} allocation lines  {r.Shortfalls.Count,4} shortfall lines");

    /// <summary>Keeps the result of the plan for the deadline (the first solve of <see cref="LateRelief"/>); the later solves are the planner's own.</summary>
    private sealed class FirstSolve(IReliefPlanner planner) : IReliefPlanner
    {
        public ReliefPlanResult? Result { get; private set; }

        public ReliefPlanResult Plan(IReadOnlyList<ReliefDemandInput> demands, IReadOnlyList<ReliefWarehouse> warehouses,
            IReadOnlyDictionary<string, ReliefItemSpec> items, DateTimeOffset now, IReadOnlyList<ReliefLoad>? inForce = null) =>
            Result = planner.Plan(demands, warehouses, items, now, inForce);

        public IReliefPlanner ForLaterSolves() => planner.ForLaterSolves();
    }
}
