using System.Globalization;
using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Dispatch.Recommendation;

namespace HuaduDispatch.Grains.Relief;

/// <summary>
/// The checked, indexed form of a relief planning problem that both planners share: items, kits and stock as arrays, the routes
/// (warehouse → demand) that arrive by the demand's deadline, and the one place that turns shipments into a
/// <see cref="ReliefPlanResult"/> (coverage, trucks, shortfalls and their reasons), so the planners are judged by the same rules.
/// </summary>
internal sealed class ReliefProblem
{
    /// <summary>Relative slack on "fits in n trucks", so a load of exactly n × capacity does not need n + 1 because of binary fractions.</summary>
    private const double FitSlack = 1e-9;

    /// <summary>A warehouse that can reach a demand by its deadline.</summary>
    internal readonly record struct Route(int Warehouse, int Demand, double DistanceKm, DateTimeOffset Departure, DateTimeOffset Arrival);

    private ReliefProblem(ReliefDemandInput[] demands, ReliefWarehouse[] warehouses, string[] items, double[] weightKg, double[] volumeM3,
        long[][] kit, long[][] available, Route[] routes, int[][] routesOfDemand, DateTimeOffset now, TravelTimeModel travel, TimeSpan loading)
    {
        Demands = demands;
        Warehouses = warehouses;
        Items = items;
        WeightKg = weightKg;
        VolumeM3 = volumeM3;
        Kit = kit;
        Available = available;
        Routes = routes;
        RoutesOfDemand = routesOfDemand;
        Now = now;
        _travel = travel;
        _loading = loading;
    }

    private readonly TravelTimeModel _travel;
    private readonly TimeSpan _loading;

    /// <summary>In the caller's order.</summary>
    public ReliefDemandInput[] Demands { get; }
    /// <summary>In ordinal id order, so equal inputs give equal plans whatever the order of the list.</summary>
    public ReliefWarehouse[] Warehouses { get; }
    /// <summary>Codes of the items some demand with people needs, in ordinal order.</summary>
    public string[] Items { get; }
    public double[] WeightKg { get; }
    public double[] VolumeM3 { get; }
    /// <summary>[demand][item]: the demand's kit for all its people; zero for a demand without people.</summary>
    public long[][] Kit { get; }
    /// <summary>[warehouse][item]: stock that may be released.</summary>
    public long[][] Available { get; }
    /// <summary>Every (warehouse, demand) that arrives by the deadline, demand by demand, nearest first within a demand.</summary>
    public Route[] Routes { get; }
    /// <summary>[demand]: indices into <see cref="Routes"/>, nearest first.</summary>
    public int[][] RoutesOfDemand { get; }
    public DateTimeOffset Now { get; }

    /// <summary>Per-person rate of an item for a demand (kit ÷ people).</summary>
    public double Rate(int d, int i) => (double)Kit[d][i] / Demands[d].People;

    public static ReliefProblem Create(IReadOnlyList<ReliefDemandInput> demands, IReadOnlyList<ReliefWarehouse> warehouses,
        IReadOnlyDictionary<string, ReliefItemSpec> items, DateTimeOffset now, TravelTimeModel travel, ReliefPlannerOptions options)
    {
        ArgumentNullException.ThrowIfNull(demands);
        ArgumentNullException.ThrowIfNull(warehouses);
        ArgumentNullException.ThrowIfNull(items);
        var errors = new List<string>();

        var demandIds = new HashSet<string>(StringComparer.Ordinal);
        for (var d = 0; d < demands.Count; d++)
        {
            var demand = demands[d];
            if (demand is null) { errors.Add($"demands[{d}] is null"); continue; }
            if (string.IsNullOrWhiteSpace(demand.DemandId)) errors.Add($"demands[{d}].DemandId is empty");
            else if (!demandIds.Add(demand.DemandId)) errors.Add($"demands[{d}].DemandId {demand.DemandId} appears twice");
            if (demand.Location is null || !demand.Location.IsValid) errors.Add($"demand {demand.DemandId}: Location is not a valid WGS 84 position");
            if (!double.IsFinite(demand.Priority) || demand.Priority <= 0)
                errors.Add($"demand {demand.DemandId}: Priority must be a finite number > 0, was {demand.Priority.ToString(CultureInfo.InvariantCulture)}");
            if (demand.People < 0) errors.Add($"demand {demand.DemandId}: People must not be negative, was {demand.People}");
            if (demand.Kit is null) { errors.Add($"demand {demand.DemandId}: Kit is null"); continue; }
            foreach (var (code, quantity) in demand.Kit)
            {
                if (quantity < 0) errors.Add($"demand {demand.DemandId}: Kit[{code}] must not be negative, was {quantity}");
                if (quantity > 0 && !items.ContainsKey(code)) errors.Add($"demand {demand.DemandId}: item {code} has no ReliefItemSpec (weight, volume)");
            }
        }

        var warehouseIds = new HashSet<string>(StringComparer.Ordinal);
        for (var w = 0; w < warehouses.Count; w++)
        {
            var wh = warehouses[w];
            if (wh is null) { errors.Add($"warehouses[{w}] is null"); continue; }
            if (string.IsNullOrWhiteSpace(wh.Id)) errors.Add($"warehouses[{w}].Id is empty");
            else if (!warehouseIds.Add(wh.Id)) errors.Add($"warehouses[{w}].Id {wh.Id} appears twice");
            if (wh.Position is null || !wh.Position.IsValid) errors.Add($"warehouse {wh.Id}: Position is not a valid WGS 84 position");
            if (wh.Mobilisation < TimeSpan.Zero) errors.Add($"warehouse {wh.Id}: Mobilisation must not be negative");
            if (wh.Trucks < 0) errors.Add($"warehouse {wh.Id}: Trucks must not be negative, was {wh.Trucks}");
            if (!double.IsFinite(wh.TruckCapacityKg) || wh.TruckCapacityKg <= 0 || !double.IsFinite(wh.TruckCapacityM3) || wh.TruckCapacityM3 <= 0)
                errors.Add($"warehouse {wh.Id}: truck capacities must be finite and > 0");
            if (wh.Available is null) errors.Add($"warehouse {wh.Id}: Available is null");
            else
                foreach (var (code, quantity) in wh.Available)
                    if (quantity < 0) errors.Add($"warehouse {wh.Id}: Available[{code}] must not be negative, was {quantity}");
        }

        // Items that some demand with people needs; only those are modelled.
        var needed = new SortedSet<string>(StringComparer.Ordinal);
        if (errors.Count == 0)
            foreach (var demand in demands)
                if (demand.People > 0)
                    foreach (var (code, quantity) in demand.Kit)
                        if (quantity > 0) needed.Add(code);
        foreach (var code in needed)
        {
            var spec = items[code];
            if (spec is null) { errors.Add($"items[{code}] is null"); continue; }
            if (!double.IsFinite(spec.WeightKg) || spec.WeightKg < 0 || !double.IsFinite(spec.VolumeM3) || spec.VolumeM3 < 0 ||
                spec.WeightKg + spec.VolumeM3 <= 0)
                errors.Add($"item {code}: WeightKg and VolumeM3 must be finite, not negative, and not both 0");
        }
        if (errors.Count > 0) throw new ArgumentException("Invalid relief planning input: " + string.Join("; ", errors.Take(20)));

        var itemCodes = needed.ToArray();
        var itemIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < itemCodes.Length; i++) itemIndex[itemCodes[i]] = i;
        var weight = itemCodes.Select(c => items[c].WeightKg).ToArray();
        var volume = itemCodes.Select(c => items[c].VolumeM3).ToArray();

        var demandArray = demands.ToArray();
        var kit = new long[demandArray.Length][];
        for (var d = 0; d < demandArray.Length; d++)
        {
            kit[d] = new long[itemCodes.Length];
            if (demandArray[d].People == 0) continue;
            foreach (var (code, quantity) in demandArray[d].Kit)
                if (quantity > 0) kit[d][itemIndex[code]] += quantity;
        }

        var warehouseArray = warehouses.OrderBy(w => w.Id, StringComparer.Ordinal).ToArray();
        var available = new long[warehouseArray.Length][];
        for (var w = 0; w < warehouseArray.Length; w++)
        {
            available[w] = new long[itemCodes.Length];
            foreach (var (code, quantity) in warehouseArray[w].Available)
                if (itemIndex.TryGetValue(code, out var i)) available[w][i] += quantity;
        }

        var routes = new List<Route>();
        var routesOfDemand = new int[demandArray.Length][];
        for (var d = 0; d < demandArray.Length; d++)
        {
            var demand = demandArray[d];
            var mine = new List<Route>();
            if (demand.People > 0)
                for (var w = 0; w < warehouseArray.Length; w++)
                {
                    if (!demand.MaySendFrom(warehouseArray[w].Id)) continue; // a route the dispatchers closed
                    var (distance, departure, arrival) = Arrival(warehouseArray[w], demand, now, travel, options.Loading);
                    if (arrival <= demand.Deadline) mine.Add(new Route(w, d, distance, departure, arrival));
                }
            mine.Sort((a, b) => a.DistanceKm != b.DistanceKm ? a.DistanceKm.CompareTo(b.DistanceKm) : a.Arrival != b.Arrival
                ? a.Arrival.CompareTo(b.Arrival) : a.Warehouse.CompareTo(b.Warehouse));
            routesOfDemand[d] = [.. Enumerable.Range(routes.Count, mine.Count)];
            routes.AddRange(mine);
        }

        return new ReliefProblem(demandArray, warehouseArray, itemCodes, weight, volume, kit, available, [.. routes], routesOfDemand, now,
            travel, options.Loading);
    }

    internal static void ValidateOptions(ReliefPlannerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Loading < TimeSpan.Zero) throw new ArgumentException($"Loading must not be negative, was {options.Loading}.", nameof(options));
        if (options.TimeLimit <= TimeSpan.Zero)
            throw new ArgumentException($"TimeLimit must be positive, was {options.TimeLimit}.", nameof(options));
        if (!double.IsFinite(options.TonKmRelativeGap) || options.TonKmRelativeGap < 0)
            throw new ArgumentException($"TonKmRelativeGap must be a finite number >= 0, was {options.TonKmRelativeGap}.", nameof(options));
        if (string.IsNullOrWhiteSpace(options.Solver)) throw new ArgumentException("Solver must be named (SCIP or CBC).", nameof(options));
        if (!(options.GainPerWithdrawnConvoy >= 0 && double.IsFinite(options.GainPerWithdrawnConvoy)))
            throw new ArgumentException($"GainPerWithdrawnConvoy must be a finite number of 0 or more, was {options.GainPerWithdrawnConvoy}.", nameof(options));
        if (!(options.LaterSolvesShare is > 0 and <= 1))
            throw new ArgumentException($"LaterSolvesShare must be more than 0 and at most 1, was {options.LaterSolvesShare}.", nameof(options));
    }

    /// <summary>Departure = now + mobilisation + loading; arrival = departure + the team ETA model's time for the distance and hazard.</summary>
    internal static (double DistanceKm, DateTimeOffset Departure, DateTimeOffset Arrival) Arrival(ReliefWarehouse warehouse,
        ReliefDemandInput demand, DateTimeOffset now, TravelTimeModel travel, TimeSpan loading)
    {
        var distance = TravelTimeModel.DistanceKm(warehouse.Position, demand.Location);
        var departure = now + warehouse.Mobilisation + loading;
        return (distance, departure, departure + travel.EtaForDistance(distance, demand.Type));
    }

    /// <summary>
    /// The plan in force (<paramref name="loads"/>: the convoys a re-plan replaces) as shipments [route][item] of this problem, cut
    /// to what still holds now. A load is dropped when its warehouse, demand or item is no longer in the problem, or its route no
    /// longer arrives by the deadline (departure is now + the mobilisation left + loading, later than planned once the planned
    /// departure has passed). The rest is
    /// kept route by route, higher-priority demands first: each item within the demand's kit (a new assessment may have lowered
    /// it) and the warehouse's stock left, and a route only while its warehouse has the trucks for its load.
    /// </summary>
    public long[]?[] Kept(IReadOnlyList<ReliefLoad> loads)
    {
        ArgumentNullException.ThrowIfNull(loads);
        var shipped = new long[]?[Routes.Length];
        if (loads.Count == 0) return shipped;
        var warehouseAt = Index(Warehouses.Select(w => w.Id));
        var demandAt = Index(Demands.Select(d => d.DemandId));
        var itemAt = Index(Items);
        var routeOf = new Dictionary<(int Warehouse, int Demand), int>();
        for (var r = 0; r < Routes.Length; r++) routeOf[(Routes[r].Warehouse, Routes[r].Demand)] = r;

        var wanted = new long[]?[Routes.Length];
        foreach (var load in loads)
        {
            if (load is null || load.Quantity <= 0) continue;
            if (!warehouseAt.TryGetValue(load.WarehouseId, out var w) || !demandAt.TryGetValue(load.DemandId, out var d)
                || !itemAt.TryGetValue(load.ItemCode, out var i) || !routeOf.TryGetValue((w, d), out var r)) continue;
            (wanted[r] ??= new long[Items.Length])[i] += load.Quantity;
        }

        var stockLeft = Available.Select(a => (long[])a.Clone()).ToArray();
        var kitLeft = Kit.Select(k => (long[])k.Clone()).ToArray();
        var trucksLeft = Warehouses.Select(w => w.Trucks).ToArray();
        var order = Enumerable.Range(0, Routes.Length).Where(r => wanted[r] is not null)
            .OrderByDescending(r => Demands[Routes[r].Demand].Priority).ThenBy(r => r);
        foreach (var r in order)
        {
            var (w, d) = (Routes[r].Warehouse, Routes[r].Demand);
            var load = new long[Items.Length];
            for (var i = 0; i < load.Length; i++) load[i] = Math.Min(wanted[r]![i], Math.Min(stockLeft[w][i], kitLeft[d][i]));
            if (load.All(q => q == 0)) continue;
            var trips = TripsFor(w, load);
            if (trips > trucksLeft[w]) continue;
            trucksLeft[w] -= trips;
            for (var i = 0; i < load.Length; i++)
            {
                stockLeft[w][i] -= load[i];
                kitLeft[d][i] -= load[i];
            }
            shipped[r] = load;
        }
        return shipped;
    }

    private static Dictionary<string, int> Index(IEnumerable<string> ids)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var position = 0;
        foreach (var id in ids) index.TryAdd(id, position++);
        return index;
    }

    /// <summary>Trucks a (warehouse, demand) load needs: its weight and its volume must each fit; any load needs at least one.</summary>
    public int TripsFor(int w, double weightKg, double volumeM3) => Trips(Warehouses[w], weightKg, volumeM3);

    /// <summary>Trucks of <paramref name="wh"/> a load of that weight and volume needs (0 for nothing).</summary>
    internal static int Trips(ReliefWarehouse wh, double weightKg, double volumeM3) =>
        weightKg <= 0 && volumeM3 <= 0 ? 0
            : (int)Math.Max(1, Math.Max(CeilSlack(weightKg / wh.TruckCapacityKg), CeilSlack(volumeM3 / wh.TruckCapacityM3)));

    public int TripsFor(int w, long[] load)
    {
        double weight = 0, volume = 0;
        for (var i = 0; i < load.Length; i++)
        {
            weight += load[i] * WeightKg[i];
            volume += load[i] * VolumeM3[i];
        }
        return TripsFor(w, weight, volume);
    }

    private static double CeilSlack(double value) => Math.Ceiling(value - FitSlack * Math.Max(1, value));

    /// <summary>
    /// People of demand <paramref name="d"/> whose whole kit is in <paramref name="supplied"/>: the largest x ≤ People with
    /// ceil(kit_i × x ÷ People) ≤ supplied_i for every item, i.e. min over items of floor(supplied_i × People ÷ kit_i).
    /// A demand with people and an empty kit needs nothing and counts as covered.
    /// </summary>
    public int Covered(int d, long[] supplied)
    {
        var people = Demands[d].People;
        if (people == 0) return 0;
        Int128 covered = people;
        for (var i = 0; i < Items.Length; i++)
            if (Kit[d][i] > 0)
                covered = Int128.Min(covered, (Int128)supplied[i] * people / Kit[d][i]);
        return (int)covered;
    }

    /// <summary>
    /// Turns shipments ([route][item] units) into the plan: allocations with times and trucks, coverage, ton-km, and a shortfall
    /// with its reason for every (demand, item) that is not fully supplied. Checks the plan keeps stock, fleet and deadlines.
    /// </summary>
    public ReliefPlanResult Assemble(long[]?[] shipped, ReliefPlanStatus status)
    {
        var items = Items.Length;
        var supplied = new long[Demands.Length][];
        for (var d = 0; d < Demands.Length; d++) supplied[d] = new long[items];
        var sentFrom = new long[Warehouses.Length][];
        for (var w = 0; w < Warehouses.Length; w++) sentFrom[w] = new long[items];
        var tripsOf = new int[Routes.Length];
        var tripsFrom = new int[Warehouses.Length];

        for (var r = 0; r < Routes.Length; r++)
        {
            var load = shipped[r];
            if (load is null) continue;
            var route = Routes[r];
            for (var i = 0; i < items; i++)
            {
                if (load[i] < 0) throw new InvalidOperationException($"negative shipment on route {r}, item {Items[i]}");
                supplied[route.Demand][i] += load[i];
                sentFrom[route.Warehouse][i] += load[i];
            }
            tripsOf[r] = TripsFor(route.Warehouse, load);
            tripsFrom[route.Warehouse] += tripsOf[r];
        }

        // The planners must keep these; a breach is a bug (or a solver tolerance gone wrong), never a plan to hand out.
        for (var w = 0; w < Warehouses.Length; w++)
        {
            if (tripsFrom[w] > Warehouses[w].Trucks)
                throw new InvalidOperationException($"plan needs {tripsFrom[w]} trucks at {Warehouses[w].Id}, which has {Warehouses[w].Trucks}");
            for (var i = 0; i < items; i++)
                if (sentFrom[w][i] > Available[w][i])
                    throw new InvalidOperationException($"plan sends {sentFrom[w][i]} {Items[i]} from {Warehouses[w].Id}, which has {Available[w][i]}");
        }

        var allocations = new List<Allocation>();
        var tonKm = 0.0;
        for (var d = 0; d < Demands.Length; d++)
            foreach (var r in RoutesOfDemand[d])
            {
                var load = shipped[r];
                if (load is null) continue;
                var route = Routes[r];
                for (var i = 0; i < items; i++)
                {
                    if (load[i] == 0) continue;
                    allocations.Add(new Allocation(Demands[d].DemandId, Warehouses[route.Warehouse].Id, Items[i], load[i], route.Departure,
                        route.Arrival, route.DistanceKm, tripsOf[r]));
                    tonKm += load[i] * WeightKg[i] / 1000 * route.DistanceKm;
                }
            }

        var coveredByDemand = new Dictionary<string, int>(StringComparer.Ordinal);
        double weighted = 0;
        var covered = 0;
        var shortfalls = new List<Shortfall>();
        for (var d = 0; d < Demands.Length; d++)
        {
            var x = Covered(d, supplied[d]);
            coveredByDemand[Demands[d].DemandId] = x;
            covered += x;
            weighted += Demands[d].Priority * x;
            AddShortfalls(d, shipped, supplied, sentFrom, tripsFrom, shortfalls);
        }

        return new ReliefPlanResult(allocations, shortfalls, weighted, covered, tonKm) { CoveredByDemand = coveredByDemand, Status = status };
    }

    private void AddShortfalls(int d, long[]?[] shipped, long[][] supplied, long[][] sentFrom, int[] tripsFrom, List<Shortfall> shortfalls)
    {
        var demand = Demands[d];
        var first = shortfalls.Count;
        var limiting = new List<string>();
        var trucksSpent = new List<string>();
        var idle = new HashSet<int>();
        for (var i = 0; i < Items.Length; i++)
        {
            var need = Kit[d][i];
            var missing = need - supplied[d][i];
            if (missing <= 0) continue;
            var (reason, detail, trucksIdle) = Reason(d, i, shipped, supplied, sentFrom, tripsFrom);
            if (reason is ShortfallReason.StockShort or ShortfallReason.TooFar) limiting.Add($"{Items[i]} ({reason})");
            if (reason == ShortfallReason.NoTrucks && !trucksIdle) trucksSpent.Add($"{Items[i]} ({reason})");
            if (trucksIdle) idle.Add(shortfalls.Count);
            shortfalls.Add(new Shortfall(demand.DemandId, Items[i], missing, reason, detail));
        }
        // Stock in reach would do for an item, and another item of the kit is what stops these people being covered: the items
        // short of stock or too far, or else the items whose own trucks are all spent. An item whose trucks stand idle is not
        // short of trucks (before the twenty-second session it read NoTrucks, and the request to the city asked for it).
        if (limiting.Count == 0 && trucksSpent.Count == 0) return;
        var lacks = limiting.Count > 0 ? limiting : trucksSpent;
        for (var s = first; s < shortfalls.Count; s++)
            if (shortfalls[s].Reason == ShortfallReason.NoTrucks && (limiting.Count > 0 || idle.Contains(s)))
                shortfalls[s] = shortfalls[s] with
                {
                    Reason = ShortfallReason.KitIncomplete,
                    Detail = $"the kit also lacks {string.Join(", ", lacks)}, and people count as relieved only with the whole kit; " +
                        shortfalls[s].Detail,
                };
    }

    /// <summary>
    /// Why item <paramref name="i"/> falls short at demand <paramref name="d"/>: no holder at all, or none in time (TooFar); stock in
    /// reach, less what the plan sends from there to other demands, below the need (StockShort); otherwise the trucks (NoTrucks,
    /// which <see cref="AddShortfalls"/> turns into KitIncomplete when another item of the kit is short of stock or too far).
    /// </summary>
    /// <returns>The reason and its detail, and for NoTrucks whether some truck of the warehouses holding the item in time is
    /// left unplanned, or a convoy of this demand from one of them has room for more of it and stock to fill it (then the trucks
    /// are not what holds the item back: a logistics-chief tester saw disinfectant read NoTrucks, and the city asked for it,
    /// while its convoy to the same incident went half empty and the kit was short of tents).</returns>
    private (ShortfallReason Reason, string Detail, bool TrucksIdle) Reason(int d, int i, long[]?[] shipped, long[][] supplied, long[][] sentFrom, int[] tripsFrom)
    {
        var demand = Demands[d];
        var need = Kit[d][i];
        var code = Items[i];

        int holders = 0, avoided = 0;
        for (var w = 0; w < Warehouses.Length; w++)
            if (Available[w][i] > 0)
            {
                if (demand.MaySendFrom(Warehouses[w].Id)) holders++;
                else avoided++;
            }
        // Held only where the dispatchers closed the route: as good as out of reach.
        if (holders == 0 && avoided > 0)
            return (ShortfallReason.TooFar, $"only warehouses whose route to this incident is avoided hold {code} ({avoided} of them); need {need}", false);
        if (holders == 0) return (ShortfallReason.StockShort, $"no warehouse holds {code}; need {need}", false);

        long inReach = 0, forOthers = 0;
        int warehousesInReach = 0, trucks = 0, trips = 0;
        foreach (var r in RoutesOfDemand[d])
        {
            var w = Routes[r].Warehouse;
            if (Available[w][i] == 0) continue;
            warehousesInReach++;
            inReach += Available[w][i];
            forOthers += sentFrom[w][i] - (shipped[r]?[i] ?? 0);
            trucks += Warehouses[w].Trucks;
            trips += tripsFrom[w];
        }
        if (warehousesInReach == 0)
        {
            // The holder that would come soonest, to say by how much the deadline is missed.
            var best = DateTimeOffset.MaxValue;
            var bestId = "";
            for (var w = 0; w < Warehouses.Length; w++)
            {
                if (Available[w][i] == 0 || !demand.MaySendFrom(Warehouses[w].Id)) continue;
                var (_, _, arrival) = Arrival(Warehouses[w], demand, Now, _travel, _loading);
                if (arrival < best) (best, bestId) = (arrival, Warehouses[w].Id);
            }
            var late = demand.People > 0 && best > demand.Deadline ? (best - demand.Deadline).TotalMinutes : 0;
            // The time this solve needs it by: the deadline, or in late relief its late limit (the relief shows the deadline).
            return (ShortfallReason.TooFar, $"{holders} warehouse(s) hold {code}, but the soonest, {bestId}, would arrive at " +
                $"{DistrictTime.Text(best)}, {late:0} min after it is needed by ({DistrictTime.Text(demand.Deadline)})", false);
        }

        var free = inReach - forOthers;
        if (free < need)
            return (ShortfallReason.StockShort, $"{inReach} {code} in reach by the deadline at {warehousesInReach} warehouse(s), " +
                $"{forOthers} of it planned for other demands: {free} left < need {need}", false);
        if (RoomOnAConvoy(d, i, shipped, sentFrom) is { } roomy)
            return (ShortfallReason.NoTrucks, $"{free} {code} in reach >= need {need}, and the convoy from {roomy} to this incident " +
                $"has room for more; {supplied[d][i]} sent", true);
        return (ShortfallReason.NoTrucks, $"{free} {code} in reach >= need {need}, but the {trucks} truck(s) of the " +
            $"{warehousesInReach} warehouse(s) holding it in time cannot carry more ({trips} planned); {supplied[d][i]} sent", trips < trucks);
    }

    /// <summary>
    /// A warehouse whose planned convoy to demand <paramref name="d"/> could take one more unit of item <paramref name="i"/> on the
    /// same trucks, from stock the plan leaves free there; null when none could.
    /// </summary>
    private string? RoomOnAConvoy(int d, int i, long[]?[] shipped, long[][] sentFrom)
    {
        foreach (var r in RoutesOfDemand[d])
        {
            var w = Routes[r].Warehouse;
            if (shipped[r] is not { } load || Available[w][i] - sentFrom[w][i] < 1) continue;
            double kg = 0, m3 = 0;
            for (var j = 0; j < load.Length; j++) (kg, m3) = (kg + load[j] * WeightKg[j], m3 + load[j] * VolumeM3[j]);
            if (TripsFor(w, kg + WeightKg[i], m3 + VolumeM3[i]) == TripsFor(w, kg, m3)) return Warehouses[w].Id;
        }
        return null;
    }
}
