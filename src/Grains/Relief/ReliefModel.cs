using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Dispatch.Recommendation;

namespace HuaduDispatch.Grains.Relief;

/// <summary>
/// A warehouse as the relief planner sees it (应急物资储备库): where it is, how long until its trucks can leave, its fleet, and the
/// stock it may release (available = on hand − reserved).
/// </summary>
/// <param name="Mobilisation">From now to the warehouse being ready to load: its mobilisation time from the order, less what has
/// passed when it is already mobilising (<see cref="WarehouseMobilisation"/>).</param>
/// <param name="TruckCapacityKg">Payload of one truck on one trip.</param>
/// <param name="Available">Item code → units that may be released.</param>
public sealed record ReliefWarehouse(string Id, GeoPoint Position, TimeSpan Mobilisation, int Trucks, double TruckCapacityKg,
    double TruckCapacityM3, IReadOnlyDictionary<string, long> Available);

/// <summary>
/// What one group of affected people needs (救灾物资需求): <paramref name="Kit"/> is the total quantity of each item for all
/// <paramref name="People"/> (usually <see cref="ReliefStandard.Kit"/>), to arrive by <paramref name="Deadline"/>.
/// </summary>
/// <param name="Type">The incident's type: its hazard slows the trucks like it slows the teams.</param>
/// <param name="Priority">Weight of one covered person; finite and &gt; 0, higher is more urgent.</param>
/// <param name="AvoidWarehouses">Warehouses not to send from to this demand (a blocked route, <see cref="AvoidedRoutes"/>).</param>
public sealed record ReliefDemandInput(string DemandId, string IncidentId, GeoPoint Location, IncidentType Type, double Priority, int People,
    IReadOnlyDictionary<string, long> Kit, DateTimeOffset Deadline, IReadOnlyCollection<string>? AvoidWarehouses = null)
{
    /// <summary>Whether plans may send from <paramref name="warehouseId"/> to this demand.</summary>
    public bool MaySendFrom(string warehouseId) => AvoidWarehouses is not { Count: > 0 } avoid || !avoid.Contains(warehouseId);
}

/// <summary>Weight and volume of one unit of an item (the catalogue's <see cref="ReliefItem"/> unit).</summary>
public sealed record ReliefItemSpec(string Code, double WeightKg, double VolumeM3)
{
    public static ReliefItemSpec From(ReliefItem item) => new(item.Code, item.WeightKg, item.VolumeM3);
}

/// <summary>
/// <paramref name="Quantity"/> units of one item sent from a warehouse to a demand. <paramref name="Trucks"/> is the size of the
/// whole (warehouse, demand) convoy, repeated on each of its item rows; <paramref name="DistanceKm"/> is great-circle, as the team
/// recommenders report it.
/// </summary>
public sealed record Allocation(string DemandId, string WarehouseId, string ItemCode, long Quantity, DateTimeOffset Departure,
    DateTimeOffset Eta, double DistanceKm, int Trucks);

/// <summary>
/// One line of the plan in force that a re-plan replaces: a convoy still <c>Planned</c> carries <paramref name="Quantity"/> of
/// <paramref name="ItemCode"/> from <paramref name="WarehouseId"/> to <paramref name="DemandId"/>.
/// </summary>
public sealed record ReliefLoad(string DemandId, string WarehouseId, string ItemCode, long Quantity);

public enum ShortfallReason
{
    /// <summary>
    /// The warehouses that can arrive in time hold too little of the item once other demands' shares are taken, or no warehouse
    /// holds it at all.
    /// </summary>
    StockShort,
    /// <summary>Warehouses hold the item, but none of them can arrive by the deadline.</summary>
    TooFar,
    /// <summary>Stock in reach suffices, but the trucks of those warehouses cannot carry it (none, or all in use).</summary>
    NoTrucks,
    /// <summary>
    /// The item itself could be had, but another item of the same kit is short for <see cref="StockShort"/> or <see cref="TooFar"/>
    /// (its own shortfall says which); people count as relieved only with the whole kit, so this part is not sent.
    /// </summary>
    KitIncomplete,
}

/// <summary><paramref name="Missing"/> units of an item that will not reach a demand by its deadline, and why.</summary>
public sealed record Shortfall(string DemandId, string ItemCode, long Missing, ShortfallReason Reason, string Detail);

public enum ReliefPlanStatus
{
    /// <summary>Both objectives solved to proven optimality: most priority-weighted people covered, then fewest ton-km.</summary>
    Optimal,
    /// <summary>Coverage is proven optimal; the ton-km phase hit the time limit and its best plan is returned.</summary>
    CoverageOptimal,
    /// <summary>The coverage phase hit the time limit: a feasible plan without proof of optimality.</summary>
    Feasible,
    /// <summary>A heuristic plan (the greedy baseline).</summary>
    Heuristic,
}

/// <param name="PeopleCoveredWeighted">Σ over demands of priority × people whose full kit arrives by the deadline.</param>
/// <param name="PeopleCovered">Σ over demands of people whose full kit arrives by the deadline.</param>
/// <param name="TonKm">Σ over allocations of tonnes × great-circle km (the road estimate is <see cref="TravelTimeOptions.RoadFactor"/> × this).</param>
public sealed record ReliefPlanResult(IReadOnlyList<Allocation> Allocations, IReadOnlyList<Shortfall> Shortfalls, double PeopleCoveredWeighted,
    int PeopleCovered, double TonKm)
{
    /// <summary>People covered per demand id (0 for a demand with nobody covered).</summary>
    public IReadOnlyDictionary<string, int> CoveredByDemand { get; init; } = new Dictionary<string, int>();

    public ReliefPlanStatus Status { get; init; } = ReliefPlanStatus.Heuristic;

    /// <summary>
    /// A proven ceiling on <see cref="PeopleCoveredWeighted"/> over all plans (the optimiser's bound), or null when the planner gives
    /// none (greedy). Equal to <see cref="PeopleCoveredWeighted"/> when coverage is proven optimal.
    /// </summary>
    public double? CoverageUpperBound { get; init; }

    /// <summary>
    /// People whose whole kit the plan brings only after their deadline, by their late limit (<see cref="LateRelief"/>); not part
    /// of <see cref="PeopleCovered"/>. Zero from a planner called alone.
    /// </summary>
    public int LatePeopleCovered { get; init; }

    /// <summary>Units sent as partial kits (<see cref="LateRelief"/>): items held back only by another item of the kit.</summary>
    public long PartialKitUnits { get; init; }

    /// <summary>
    /// Set when this is the plan in force carried on, kept instead of a plan covering more people that would have withdrawn too
    /// many of its convoys for what it gained (<see cref="ReliefPlannerOptions.GainPerWithdrawnConvoy"/>); null otherwise
    /// (also when the plan in force was kept over one that only covered as many with fewer ton-km).
    /// </summary>
    public ReliefPlanKeptInForce? KeptInForce { get; init; }

    public static ReliefPlanResult Empty { get; } = new([], [], 0, 0, 0) { Status = ReliefPlanStatus.Optimal };
}

public sealed record ReliefPlannerOptions
{
    /// <summary>Loading a truck once the warehouse is mobilised; the trucks of one warehouse load in parallel.</summary>
    public TimeSpan Loading { get; init; } = TimeSpan.FromMinutes(20);

    /// <summary>OR-Tools MIP back end of <see cref="OptimalReliefPlanner"/>: "SCIP" (default) or "CBC", both in Google.OrTools 9.15.</summary>
    public string Solver { get; init; } = "SCIP";

    /// <summary>
    /// Wall-clock budget of one <see cref="OptimalReliefPlanner"/> call, shared by its solves (on a surge: the one-truck LPs, the
    /// truck search, then the coverage and ton-km phases; otherwise coverage about 70 %, ton-km the rest). Past it the best plan
    /// found is returned, with a weaker <see cref="ReliefPlanResult.Status"/> and the proven bound.
    /// </summary>
    public TimeSpan TimeLimit { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Relative optimality gap accepted in the coverage phase; 0 (default) proves the optimum.</summary>
    public double CoverageRelativeGap { get; init; }

    /// <summary>
    /// Relative optimality gap accepted in the ton-km phase (the coverage phase is always solved with gap 0). 0 proves the ton-km
    /// optimum; the default 1e-4 stops within 0.01 % of it.
    /// </summary>
    public double TonKmRelativeGap { get; init; } = 1e-4;

    /// <summary>
    /// Largest full model (number of item-flow variables) solved as one MIP. A bigger one — a district-wide surge — is bounded by
    /// the aggregate relaxation and planned by a search over whole trucks (see <see cref="OptimalReliefPlanner"/>); such a plan is
    /// <see cref="ReliefPlanStatus.Feasible"/> unless it reaches the bound.
    /// </summary>
    public int ExactModelLimit { get; init; } = 2000;

    /// <summary>
    /// Whether a surge's two starts (the one-truck LP without and with the rows of one-truck warehouses, each rounded and searched)
    /// run side by side on two threads, each with the whole budget, instead of one after the other. More coverage in the same
    /// time (at 500 ms most of what a 3 s plan gets), but the plan then wants two cores while it runs. Default: on with at least
    /// 2 cores. Until 2026-12-05 it was off below 4 cores, so that on a 2-core node a re-plan never took both cores from the API
    /// and the hubs; since then the coordinator solves on threads of a lower priority (<see cref="ReliefOptions.PlannerNice"/>),
    /// which take only the time the node leaves idle when it is busy.
    /// </summary>
    public bool ParallelStarts { get; init; } = Environment.ProcessorCount >= 2;

    /// <summary>
    /// The budget of each later solve of a coordinator's plan (late relief and partial kits, <see cref="LateRelief"/>) as a share
    /// of <see cref="TimeLimit"/>, in (0, 1]. They plan what the plan for the deadline leaves, so the promise does not wait on
    /// them; at the whole budget each, a surge's re-plan took up to three budgets. Default 0.25: a re-plan takes at most 1.5 budgets.
    /// </summary>
    public double LaterSolvesShare { get; init; } = 0.25;

    /// <summary>
    /// How many more priority-weighted people a re-plan must cover, for each convoy of the plan in force it withdraws, to be
    /// committed instead of the plan in force carried on (what still holds of it, with what the greedy rule adds from what it
    /// leaves) or the plan near it (the truck search from its trucks), each scored the same way. In the plan for the deadline
    /// only convoys to incidents the plan in force covers count; in the later solves (late relief, partial kits) every convoy.
    /// A surge's search ends anywhere in its budget, and each re-plan is another draw: without this, a re-plan for any small change could withdraw half the district's convoys for a
    /// plan 0.3 % better (benchmark `relief-churn`: 53 of 80 routes for 236 weighted people). The exact model has ties: another
    /// optimum, or a few ton-km less, withdrew convoys with nobody more covered (an exploratory surge on a node: 42 of 44 such
    /// re-plans). Default 10 (2.5 to 10 people by priority); 0 takes any plan that covers at least as many.
    /// </summary>
    public double GainPerWithdrawnConvoy { get; init; } = 10;

    /// <summary>
    /// What the second phase minimises among plans that cover as many people: ton-km (false, the plan for the deadline, where
    /// every kit that counts arrives in time) or how long the kits take to arrive (true, the later solves of
    /// <see cref="LateRelief"/>, whose people are already past the promise: each unit costs its share of its demand's kit ×
    /// the demand's priority and people × the minutes until it arrives, with ton-km only to break ties). Set by
    /// <see cref="OptimalReliefPlanner.ForLaterSolves"/>, not by configuration.
    /// </summary>
    internal bool EarliestFirst { get; init; }
}

/// <summary>
/// Plans the first relief wave (首批救灾物资调拨): which warehouse sends how much of which item to which demand so that as many
/// people as possible, weighted by priority, get their full kit by the deadline; among such plans the fewest ton-km.
/// </summary>
/// <remarks>
/// Assumptions shared by the planners: each truck makes one trip in the window (3 hours is too short for a return and a second
/// load across the district); a trip serves one demand (no multi-drop); a warehouse's trucks load in parallel and leave together at
/// now + mobilisation + loading; a load fits a truck when its weight and its volume each fit (units are small against a truck, so
/// the mix can be split across trucks); the drive takes the <see cref="TravelTimeModel"/> ETA used for rescue teams, slowed by the
/// demand's hazard.
/// </remarks>
public interface IReliefPlanner
{
    /// <param name="inForce">The loads of the plan in force that this plan replaces (the convoys still <c>Planned</c>), or null.
    /// <see cref="OptimalReliefPlanner"/> never covers fewer weighted people than what of them still holds; the greedy baseline
    /// ignores them.</param>
    ReliefPlanResult Plan(IReadOnlyList<ReliefDemandInput> demands, IReadOnlyList<ReliefWarehouse> warehouses,
        IReadOnlyDictionary<string, ReliefItemSpec> items, DateTimeOffset now, IReadOnlyList<ReliefLoad>? inForce = null);

    /// <summary>The planner for the later solves of <see cref="LateRelief"/> (the same one unless it has a smaller budget for them).</summary>
    IReliefPlanner ForLaterSolves() => this;

    /// <summary>
    /// When a convoy ordered now from <paramref name="warehouse"/> would reach <paramref name="demand"/> (mobilisation, loading,
    /// travel, as this planner counts them), or null when it cannot say.
    /// </summary>
    DateTimeOffset? Arrival(ReliefWarehouse warehouse, ReliefDemandInput demand, DateTimeOffset now) => null;
}
