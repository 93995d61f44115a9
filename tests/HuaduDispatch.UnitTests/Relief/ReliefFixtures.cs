using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Dispatch.Recommendation;
using HuaduDispatch.Grains.Relief;

namespace HuaduDispatch.UnitTests.Relief;

/// <summary>Builders for relief planning instances around Huadu's centre, invariant checks, and the exhaustive reference solver.</summary>
internal static class ReliefFixtures
{
    public const double CentreLat = 23.40, CentreLon = 113.22;
    public static readonly DateTimeOffset Now = new(2026, 7, 15, 14, 0, 0, TimeSpan.FromHours(8));
    /// <summary>The relief deadline after the disaster.</summary>
    public static readonly TimeSpan ThreeHours = TimeSpan.FromHours(3);
    private static readonly double KmPerDegreeLon = TravelTimeModel.DistanceKm(P(CentreLat, 0), P(CentreLat, 1));

    public static TravelTimeModel Travel { get; } = new(new TravelTimeOptions());

    /// <summary>Exact settings: the ton-km phase is proven too, so ton-km can be compared with the brute force.</summary>
    /// <summary>
    /// The district catalogue with one depot (WH-1, 2 trucks) beside the incident holding 10,000 of every item of the standard
    /// kit, and a relief demand for 20 people, tracked by the coordinator. Returns the coordinator and the depot.
    /// </summary>
    public static async Task<(IReliefCoordinatorGrain Coordinator, IWarehouseGrain Depot)> OneDepotBesideAnIncident(IGrainFactory grains, string incidentId)
    {
        var codes = ReliefStandard.Default.Lines.Select(l => l.ItemCode).Distinct().ToList();
        var set = ReferenceDataValidatorTests.Minimal() with
        {
            Items = [.. codes.Select(c => new ReliefItem { Code = c, NameZh = c, NameEn = c, Unit = "unit", WeightKg = 1, VolumeM3 = 0.001 })],
            Warehouses = [ReferenceDataValidatorTests.Minimal().Warehouses[0] with { Stock = [.. codes.Select(c => new StockLine { ItemCode = c, Quantity = 10_000 })] }],
        };
        Assert.True((await grains.GetGrain<IReferenceDataGrain>(ReferenceData.GrainKey).Load(set, "one-depot-" + incidentId)).Applied);
        await grains.GetGrain<IReliefDemandGrain>(incidentId).Update(new ReliefDemandUpdate
        {
            Type = IncidentType.Flood, Location = P(23.401, 113.221), OccurredAt = DateTimeOffset.UtcNow,
            Affected = 20, Relocated = 0, Priority = 2, Open = true, AreaId = "xinhua",
        }, new Actor { Subject = "dispatcher-wang", Role = Roles.Dispatcher });
        var coordinator = grains.GetGrain<IReliefCoordinatorGrain>(ReliefCoordinator.GrainKey);
        await UntilTracked(coordinator, incidentId); // Track is one-way: a plan asked for at once could come first
        return (coordinator, grains.GetGrain<IWarehouseGrain>("WH-1"));
    }

    /// <summary>Waits (up to 10 s) until the coordinator tracks the incident: a demand tells it one-way.</summary>
    public static async Task UntilTracked(IReliefCoordinatorGrain coordinator, string incidentId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!(await coordinator.GetTracked()).Contains(incidentId))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the relief coordinator did not track {incidentId} within 10 s");
            await Task.Delay(10);
        }
    }

    public static ReliefPlannerOptions Exact { get; } = new() { TonKmRelativeGap = 0, TimeLimit = TimeSpan.FromSeconds(30) };

    public static OptimalReliefPlanner Optimal(ReliefPlannerOptions? options = null) => new(Travel, options ?? Exact);

    public static GreedyReliefPlanner Greedy(ReliefPlannerOptions? options = null) => new(Travel, options ?? Exact);

    public static GeoPoint P(double lat, double lon) => new() { Lat = lat, Lon = lon };

    /// <summary>A point <paramref name="km"/> east of the centre (negative: west).</summary>
    public static GeoPoint East(double km) => P(CentreLat, CentreLon + km / KmPerDegreeLon);

    public static ReliefWarehouse Warehouse(string id, GeoPoint at, int trucks, double capacityKg, params (string Item, long Quantity)[] stock) =>
        new(id, at, TimeSpan.Zero, trucks, capacityKg, 1000, stock.ToDictionary(s => s.Item, s => s.Quantity));

    public static ReliefDemandInput Demand(string id, GeoPoint at, double priority, int people, TimeSpan within,
        params (string Item, long Quantity)[] kit) =>
        new(id, "INC-" + id, at, IncidentType.Other, priority, people, kit.ToDictionary(k => k.Item, k => k.Quantity), Now + within);

    public static Dictionary<string, ReliefItemSpec> Items(params (string Code, double Kg, double M3)[] items) =>
        items.ToDictionary(i => i.Code, i => new ReliefItemSpec(i.Code, i.Kg, i.M3));

    public sealed record Instance(List<ReliefDemandInput> Demands, List<ReliefWarehouse> Warehouses, Dictionary<string, ReliefItemSpec> Items);

    /// <summary>
    /// A random small instance: ≤ 2 warehouses, ≤ 2 demands of ≤ 4 people, ≤ 2 items, kits ≤ 6 units, trucks small enough to bind,
    /// deadlines that leave some routes out of reach. Weights are whole kg and volumes multiples of 1/8 m³, so sums are exact.
    /// </summary>
    public static Instance RandomInstance(Random rng)
    {
        var itemCount = rng.Next(1, 3);
        var items = new Dictionary<string, ReliefItemSpec>();
        for (var i = 0; i < itemCount; i++)
            items[$"item-{i}"] = new ReliefItemSpec($"item-{i}", rng.Next(1, 6), rng.Next(0, 5) / 8.0);
        var codes = items.Keys.ToArray();
        GeoPoint Point() => P(CentreLat + (rng.NextDouble() - 0.5) * 0.3, CentreLon + (rng.NextDouble() - 0.5) * 0.3);

        var warehouses = new List<ReliefWarehouse>();
        var warehouseCount = rng.Next(1, 3);
        for (var w = 0; w < warehouseCount; w++)
        {
            var stock = new Dictionary<string, long>();
            foreach (var code in codes)
                if (rng.Next(5) > 0) stock[code] = rng.Next(0, 9);
            warehouses.Add(new ReliefWarehouse($"WH-{w}", Point(), TimeSpan.FromMinutes(rng.Next(0, 61)), rng.Next(0, 3),
                5 * rng.Next(1, 9), 0.5 * rng.Next(1, 9), stock));
        }

        IncidentType[] types = [IncidentType.Other, IncidentType.Typhoon, IncidentType.Flood];
        double[] priorities = [1, 2, 3, 4, 0.5, 1.5, 2.5];
        var demands = new List<ReliefDemandInput>();
        var demandCount = rng.Next(1, 3);
        for (var d = 0; d < demandCount; d++)
        {
            var people = rng.Next(10) == 0 ? 0 : rng.Next(1, 5);
            var kit = new Dictionary<string, long>();
            foreach (var code in codes)
                if (rng.Next(4) > 0) kit[code] = rng.Next(0, 7);
            demands.Add(new ReliefDemandInput($"RD-{d}", $"INC-{d}", Point(), types[rng.Next(types.Length)], priorities[rng.Next(priorities.Length)],
                people, kit, Now + TimeSpan.FromMinutes(rng.Next(30, 151))));
        }
        return new Instance(demands, warehouses, items);
    }

    /// <summary>Covered people of each demand from the allocations alone: min over kit items of floor(supplied × People ÷ kit).</summary>
    public static Dictionary<string, int> CoveredFromAllocations(ReliefPlanResult result, IEnumerable<ReliefDemandInput> demands)
    {
        var covered = new Dictionary<string, int>();
        foreach (var d in demands)
        {
            var x = d.People;
            foreach (var (code, kit) in d.Kit)
            {
                if (kit == 0 || d.People == 0) continue;
                var supplied = result.Allocations.Where(a => a.DemandId == d.DemandId && a.ItemCode == code).Sum(a => a.Quantity);
                x = (int)Math.Min(x, supplied * d.People / kit);
            }
            covered[d.DemandId] = x;
        }
        return covered;
    }

    /// <summary>The rules every plan keeps, checked from the allocations and the inputs only.</summary>
    public static void AssertKeepsStockFleetAndDeadlines(ReliefPlanResult result, Instance instance, ReliefPlannerOptions options, string label = "")
    {
        var warehouses = instance.Warehouses.ToDictionary(w => w.Id);
        var demands = instance.Demands.ToDictionary(d => d.DemandId);
        foreach (var group in result.Allocations.GroupBy(a => (a.WarehouseId, a.ItemCode)))
            Assert.True(group.Sum(a => a.Quantity) <= warehouses[group.Key.WarehouseId].Available.GetValueOrDefault(group.Key.ItemCode),
                $"{label}: {group.Key} sends more than the stock");
        foreach (var a in result.Allocations)
        {
            var w = warehouses[a.WarehouseId];
            var d = demands[a.DemandId];
            Assert.True(a.Quantity > 0, $"{label}: empty allocation");
            Assert.Equal(Now + w.Mobilisation + options.Loading, a.Departure);
            Assert.Equal(a.Departure + Travel.Eta(w.Position, d.Location, d.Type), a.Eta);
            Assert.True(a.Eta <= d.Deadline, $"{label}: {a.WarehouseId} → {a.DemandId} arrives {a.Eta} after the deadline {d.Deadline}");
        }
        var convoys = result.Allocations.GroupBy(a => (a.WarehouseId, a.DemandId)).ToList();
        foreach (var convoy in convoys)
        {
            var w = warehouses[convoy.Key.WarehouseId];
            var trucks = Assert.Single(convoy.Select(a => a.Trucks).Distinct());
            var kg = convoy.Sum(a => a.Quantity * instance.Items[a.ItemCode].WeightKg);
            var m3 = convoy.Sum(a => a.Quantity * instance.Items[a.ItemCode].VolumeM3);
            Assert.True(trucks >= 1 && kg <= trucks * w.TruckCapacityKg + 1e-9 && m3 <= trucks * w.TruckCapacityM3 + 1e-9,
                $"{label}: {convoy.Key} loads {kg} kg / {m3} m3 on {trucks} trucks");
        }
        foreach (var fleet in convoys.GroupBy(c => c.Key.WarehouseId))
            Assert.True(fleet.Sum(c => c.First().Trucks) <= warehouses[fleet.Key].Trucks, $"{label}: {fleet.Key} uses more trucks than it has");

        var covered = CoveredFromAllocations(result, instance.Demands);
        Assert.Equal(covered.Values.Sum(), result.PeopleCovered);
        Assert.Equal(instance.Demands.Sum(d => d.Priority * covered[d.DemandId]), result.PeopleCoveredWeighted, 9);
        foreach (var d in instance.Demands)
            foreach (var (code, kit) in d.Kit)
            {
                if (d.People == 0 || kit == 0) continue;
                var missing = kit - result.Allocations.Where(a => a.DemandId == d.DemandId && a.ItemCode == code).Sum(a => a.Quantity);
                var shortfall = result.Shortfalls.SingleOrDefault(s => s.DemandId == d.DemandId && s.ItemCode == code);
                Assert.Equal(Math.Max(0, missing), shortfall?.Missing ?? 0);
            }
    }

    /// <summary>
    /// Exhaustive search, written without the planner's code: every people count x_d ≤ People_d, every split of each demand's
    /// rounded-up need ceil(kit × x ÷ People) between the warehouses, kept when each route is in time, stock suffices, and each
    /// warehouse's convoys fit its trucks. Returns the best Σ priority × x and, among plans reaching it, the fewest ton-km.
    /// </summary>
    public static (double Weighted, double TonKm) BruteForce(Instance instance, ReliefPlannerOptions options)
    {
        var demands = instance.Demands;
        var warehouses = instance.Warehouses;
        var codes = instance.Items.Keys.ToArray();
        bool InTime(ReliefWarehouse w, ReliefDemandInput d) =>
            Now + w.Mobilisation + options.Loading + Travel.Eta(w.Position, d.Location, d.Type) <= d.Deadline;

        double bestWeighted = -1, bestTonKm = double.PositiveInfinity;
        var x = new int[demands.Count];
        void Choose(int d)
        {
            if (d == demands.Count) { Evaluate(); return; }
            for (x[d] = 0; x[d] <= demands[d].People; x[d]++) Choose(d + 1);
        }

        void Evaluate()
        {
            var weighted = demands.Select((d, k) => d.Priority * x[k]).Sum();
            if (weighted < bestWeighted - 1e-9) return;
            // (demand, item) pairs with their need for x people.
            var needs = new List<(int D, string Code, long Need)>();
            for (var k = 0; k < demands.Count; k++)
                foreach (var code in codes)
                {
                    var kit = demands[k].Kit.GetValueOrDefault(code);
                    if (kit == 0 || x[k] == 0) continue;
                    needs.Add((k, code, (kit * x[k] + demands[k].People - 1) / demands[k].People));
                }
            var fromFirst = new long[needs.Count];
            var best = BestSplit(0);
            if (best is null) return;
            if (weighted > bestWeighted + 1e-9) { bestWeighted = weighted; bestTonKm = best.Value; }
            else bestTonKm = Math.Min(bestTonKm, best.Value);

            double? BestSplit(int n)
            {
                if (n == needs.Count) return Check();
                double? best = null;
                var max = needs[n].Need;
                var min = warehouses.Count == 1 ? max : 0; // one warehouse: it sends everything
                for (fromFirst[n] = min; fromFirst[n] <= max; fromFirst[n]++)
                    if (BestSplit(n + 1) is { } t && (best is null || t < best)) best = t;
                return best;
            }

            double? Check()
            {
                var load = new Dictionary<(int W, int D, string Code), long>();
                for (var n = 0; n < needs.Count; n++)
                {
                    load[(0, needs[n].D, needs[n].Code)] = fromFirst[n];
                    if (warehouses.Count > 1) load[(1, needs[n].D, needs[n].Code)] = needs[n].Need - fromFirst[n];
                }
                double tonKm = 0;
                for (var w = 0; w < warehouses.Count; w++)
                {
                    var wh = warehouses[w];
                    var trucks = 0;
                    foreach (var code in codes)
                        if (load.Where(l => l.Key.W == w && l.Key.Code == code).Sum(l => l.Value) > wh.Available.GetValueOrDefault(code))
                            return null;
                    for (var k = 0; k < demands.Count; k++)
                    {
                        var mine = load.Where(l => l.Key.W == w && l.Key.D == k && l.Value > 0).ToList();
                        if (mine.Count == 0) continue;
                        if (!InTime(wh, demands[k])) return null;
                        var kg = mine.Sum(l => l.Value * instance.Items[l.Key.Code].WeightKg);
                        var m3 = mine.Sum(l => l.Value * instance.Items[l.Key.Code].VolumeM3);
                        trucks += Math.Max(1, (int)Math.Max(Math.Ceiling(kg / wh.TruckCapacityKg), Math.Ceiling(m3 / wh.TruckCapacityM3)));
                        tonKm += kg / 1000 * TravelTimeModel.DistanceKm(wh.Position, demands[k].Location);
                    }
                    if (trucks > wh.Trucks) return null;
                }
                return tonKm;
            }
        }

        Choose(0);
        return (bestWeighted, bestTonKm);
    }
}
