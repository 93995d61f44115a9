using System.Diagnostics;
using System.Globalization;
using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Dispatch.Recommendation;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

if (args.Length > 0 && args[0] == "relief") return ReliefBench.Run(args[1..]);   // relief [runs=10] [seed=2026]
if (args.Length > 0 && args[0] == "relief-churn") return ChurnBench.Run(args[1..]);   // relief-churn [replans=12] [seed=2026] [loading|arriving]
if (args.Length == 0 || args[0] != "recommend")
{
    Console.WriteLine("usage: dotnet run -c Release --project bench/HuaduDispatch.Bench -- recommend [runs=20] [seed=2026] [teams=400]");
    Console.WriteLine("       dotnet run -c Release --project bench/HuaduDispatch.Bench -- relief [runs=10] [seed=2026]");
    Console.WriteLine("       dotnet run -c Release --project bench/HuaduDispatch.Bench -- relief-churn [replans=12] [seed=2026] [loading|arriving]");
    return 1;
}
var runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20;
var seed = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2026;
var teamCount = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 400;

var (needs, teams) = RecommendBench.Instance(seed, incidents: 50, teamCount);
var travel = new TravelTimeModel(new TravelTimeOptions());
var options = new RecommenderOptions();
ITeamRecommender optimal = new OptimalRecommender(travel, options), greedy = new GreedyRecommender(travel, options);

Console.WriteLine($"Joint team recommendation, seed {seed}: {needs.Count} incidents, {needs.Sum(n => n.Requirements.Sum(r => r.Count))} slots, " +
    $"{teams.Count} teams ({teams.Count(t => t.Available)} available), MaxEta {options.MaxEta.TotalMinutes} min, " +
    $"{Environment.ProcessorCount} cores, {runs} timed runs each after warm-up");

// Enough calls for tiered JIT to promote the hot paths (30 calls + background compile) before timing.
for (var i = 0; i < 60; i++) { optimal.Recommend(needs, teams); greedy.Recommend(needs, teams); }
Thread.Sleep(500);
for (var i = 0; i < 20; i++) { optimal.Recommend(needs, teams); greedy.Recommend(needs, teams); }
var (oTimes, o) = RecommendBench.Time(optimal, needs, teams, runs);
var (gTimes, g) = RecommendBench.Time(greedy, needs, teams, runs);

RecommendBench.Row("Optimal (OR-Tools min-cost flow)", oTimes, o, needs);
RecommendBench.Row("Greedy (reference)", gTimes, g, needs);
Console.WriteLine($"Optimal / greedy: median time x{RecommendBench.Median(oTimes) / RecommendBench.Median(gTimes):0.00}, " +
    $"filled slots x{(double)o.Picks.Count / g.Picks.Count:0.000}, " +
    $"priority served x{RecommendBench.PriorityServed(o, needs) / RecommendBench.PriorityServed(g, needs):0.000}, " +
    $"weighted ETA x{o.TotalWeightedEtaMinutes / g.TotalWeightedEtaMinutes:0.000}, " +
    $"weighted ETA per filled slot x{o.TotalWeightedEtaMinutes / o.Picks.Count / (g.TotalWeightedEtaMinutes / g.Picks.Count):0.000}");
var median = RecommendBench.Median(oTimes);
Console.WriteLine($"Optimal median {median:0.00} ms vs the 100 ms aim: {(median <= 100 ? "within" : "OVER")} ({median / 100:P0} of the aim)");
return 0;

internal static class RecommendBench
{
    public static (List<IncidentNeed>, List<TeamCandidate>) Instance(int seed, int incidents, int teamCount)
    {
        var rng = new Random(seed);
        var caps = Enum.GetValues<Capability>();
        var types = Enum.GetValues<IncidentType>();
        GeoPoint Point() => new() { Lat = 23.25 + rng.NextDouble() * 0.37, Lon = 112.95 + rng.NextDouble() * 0.52 };
        var needs = Enumerable.Range(0, incidents).Select(i => new IncidentNeed($"INC-{i:000}", types[rng.Next(types.Length)], Point(),
            rng.Next(1, 5), [.. caps.OrderBy(_ => rng.Next()).Take(rng.Next(1, 5))
                .Select(c => new ModuleRequirement { Capability = c, Count = rng.Next(1, 3) })])).ToList();
        var teams = Enumerable.Range(0, teamCount).Select(t => new TeamCandidate($"TEAM-{t:000}",
            [.. caps.OrderBy(_ => rng.Next()).Take(rng.Next(1, 4))], Point(), rng.NextDouble() < 0.85)).ToList();
        return (needs, teams);
    }

    public static (double[] Ms, RecommendationResult Last) Time(ITeamRecommender r, List<IncidentNeed> needs, List<TeamCandidate> teams, int runs)
    {
        var ms = new double[runs];
        RecommendationResult last = RecommendationResult.Empty;
        for (var i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            last = r.Recommend(needs, teams);
            ms[i] = sw.Elapsed.TotalMilliseconds;
        }
        return (ms, last);
    }

    public static double Median(double[] ms) => Percentile(ms, 0.5);

    private static double Percentile(double[] ms, double p)
    {
        var sorted = ms.Order().ToArray();
        return sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1)];
    }

    /// <summary>Σ over picks of the incident's priority: the recommender's second objective level.</summary>
    public static double PriorityServed(RecommendationResult r, List<IncidentNeed> needs)
    {
        var priority = needs.ToDictionary(n => n.IncidentId, n => n.Priority);
        return r.Picks.Sum(p => priority[p.IncidentId]);
    }

    public static void Row(string name, double[] ms, RecommendationResult r, List<IncidentNeed> needs) =>
        Console.WriteLine($"{name,-34} median {Median(ms),7:0.00} ms  p95 {Percentile(ms, 0.95),7:0.00} ms  " +
            $"filled {r.Picks.Count,3}  unfilled {r.Unfilled.Sum(u => u.Missing),3}  priority served {PriorityServed(r, needs),6:0.0}  " +
            $"weighted ETA {r.TotalWeightedEtaMinutes,9:0.0} priority-min");
}
