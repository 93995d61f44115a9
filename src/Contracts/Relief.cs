using Orleans.Concurrency;

namespace HuaduDispatch.Contracts;

/// <summary>Where an incident's relief stands against its 3-hour deadline.</summary>
[Alias("huadu.ReliefStatus")]
public enum ReliefStatus { OnTrack, AtRisk, Met, Breached }

[Alias("huadu.ShipmentStatus")]
public enum ShipmentStatus { Planned, Loading, Departed, Delivered, Cancelled }

[GenerateSerializer, Immutable, Alias("huadu.ItemQuantity")]
public sealed record ItemQuantity
{
    [Id(0)] public required string ItemCode { get; init; }
    [Id(1)] public required long Quantity { get; init; }
}

/// <summary>One item of an incident's relief demand.</summary>
[GenerateSerializer, Immutable, Alias("huadu.ReliefNeed")]
public sealed record ReliefNeed
{
    [Id(0)] public required string ItemCode { get; init; }
    [Id(1)] public required long Needed { get; init; }
    [Id(2)] public required long Delivered { get; init; }
    /// <summary>On trucks that are loading or on the road.</summary>
    [Id(3)] public required long InTransit { get; init; }
    /// <summary>Reserved by the current plan, not yet loading.</summary>
    [Id(4)] public required long Planned { get; init; }
}

/// <summary>A convoy from one warehouse to one incident.</summary>
[GenerateSerializer, Immutable, Alias("huadu.Shipment")]
public sealed record Shipment
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required string IncidentId { get; init; }
    [Id(2)] public required string WarehouseId { get; init; }
    [Id(3)] public required IReadOnlyList<ItemQuantity> Lines { get; init; }
    [Id(4)] public required ShipmentStatus Status { get; init; }
    [Id(5)] public required int Trucks { get; init; }
    [Id(6)] public required DateTimeOffset Departure { get; init; }
    [Id(7)] public required DateTimeOffset Eta { get; init; }
    [Id(8)] public required double DistanceKm { get; init; }
    /// <summary>The warehouse reservation holding the stock.</summary>
    [Id(9)] public required string ReservationId { get; init; }
    [Id(10)] public required long PlanId { get; init; }
    [Id(11)] public IReadOnlyList<ItemQuantity>? Received { get; init; }
    [Id(12)] public required DateTimeOffset UpdatedAt { get; init; }
    [Id(13)] public DateTimeOffset? DeliveredAt { get; init; }
    /// <summary>
    /// Since when the warehouse has been mobilising for relief: the first order of the run of convoys this one belongs to (a
    /// re-plan's convoy inherits it from the warehouse's convoys it replaces or runs beside). Its departure counts the
    /// warehouse's mobilisation time from then. Null on convoys stored before 2026-12-03.
    /// </summary>
    [Id(14)] public DateTimeOffset? MobilisedSince { get; init; }
    /// <summary>Why a person cancelled the convoy, as they gave it (absent otherwise).</summary>
    [Id(15)] public string? CancelReason { get; init; }
    /// <summary>True when a person cancelled it because of its route: the incident's relief avoids its warehouse since.</summary>
    [Id(16)] public bool? RouteAvoided { get; init; }
    /// <summary>
    /// When it was reported Departed (absent before). <see cref="Departure"/> becomes this time and <see cref="Eta"/> this time
    /// plus the planned drive, so they are the actual departure and the arrival expected from it.
    /// </summary>
    [Id(17)] public DateTimeOffset? DepartedAt { get; init; }
}

/// <summary>Body of POST /api/v1/shipments/{id}/status.</summary>
[GenerateSerializer, Immutable, Alias("huadu.ShipmentStatusRequest")]
public sealed record ShipmentStatusRequest
{
    [Id(0)] public ShipmentStatus? Status { get; init; }
    /// <summary>
    /// With Delivered: the items that came short, each with the quantity that did arrive; the lines it does not name arrived as
    /// planned. Leave it out when everything arrived (an empty list is a 400).
    /// </summary>
    [Id(1)] public IReadOnlyList<ItemQuantity>? Received { get; init; }
    /// <summary>
    /// With Cancelled: true when the route itself is the trouble (a road blocked, a bridge out): the incident's relief then
    /// avoids the convoy's warehouse, and no plan sends from it there again until a dispatcher allows it.
    /// </summary>
    [Id(2)] public bool? AvoidRoute { get; init; }
    /// <summary>With Cancelled: why, in a few words (kept on the convoy, and with the avoided warehouse; up to 500 characters).</summary>
    [Id(3)] public string? Reason { get; init; }
    /// <summary>
    /// With Departed or Delivered: when it happened, for a report made late (a crew radioing in after arrival, a log copied
    /// from paper, a failover); now when absent. The 3-hour judgement counts deliveries by this time.
    /// </summary>
    [Id(4)] public DateTimeOffset? OccurredAt { get; init; }
}

/// <summary>A warehouse the plans must not send from to one incident: the route is blocked, or the dispatchers said so.</summary>
[GenerateSerializer, Immutable, Alias("huadu.AvoidedWarehouse")]
public sealed record AvoidedWarehouse
{
    [Id(0)] public required string WarehouseId { get; init; }
    [Id(1)] public string? Reason { get; init; }
    /// <summary>Who said so (the token's subject).</summary>
    [Id(2)] public required string By { get; init; }
    [Id(3)] public required DateTimeOffset At { get; init; }
    /// <summary>The convoy whose cancellation asked for it, when one did.</summary>
    [Id(4)] public string? ShipmentId { get; init; }
}

/// <summary>POST /api/v1/incidents/{id}/relief/avoided-warehouses: stop plans sending from a warehouse to this incident.</summary>
[GenerateSerializer, Immutable, Alias("huadu.AvoidWarehouseRequest")]
public sealed record AvoidWarehouseRequest
{
    [Id(0)] public string? WarehouseId { get; init; }
    [Id(1)] public string? Reason { get; init; }
}

/// <summary>
/// POST /api/v1/incidents/{id}/relief/shelter-departures: people of a closed incident left a shelter; the places they held
/// there are released (all of them when <c>people</c> is left out).
/// </summary>
[GenerateSerializer, Immutable, Alias("huadu.ShelterDepartureRequest")]
public sealed record ShelterDepartureRequest
{
    [Id(0)] public string? ShelterId { get; init; }
    [Id(1)] public int? People { get; init; }
}

/// <summary>An item that will not reach an incident by its deadline, and why (StockShort, TooFar, NoTrucks, KitIncomplete).</summary>
[GenerateSerializer, Immutable, Alias("huadu.ReliefShortfall")]
public sealed record ReliefShortfall
{
    [Id(0)] public required string IncidentId { get; init; }
    [Id(1)] public required string ItemCode { get; init; }
    [Id(2)] public required long Missing { get; init; }
    [Id(3)] public required string Reason { get; init; }
    [Id(4)] public required string Detail { get; init; }
}

[GenerateSerializer, Immutable, Alias("huadu.ReliefAllocationView")]
public sealed record ReliefAllocationView
{
    [Id(0)] public required string WarehouseId { get; init; }
    [Id(1)] public required string IncidentId { get; init; }
    [Id(2)] public required string ItemCode { get; init; }
    [Id(3)] public required long Quantity { get; init; }
    [Id(4)] public required DateTimeOffset Departure { get; init; }
    [Id(5)] public required DateTimeOffset Eta { get; init; }
    [Id(6)] public required double DistanceKm { get; init; }
    [Id(7)] public required string ShipmentId { get; init; }
    /// <summary>
    /// True when the convoy arrives after the incident's relief deadline: best-effort relief for people the plan for the
    /// deadline cannot reach (absent otherwise).
    /// </summary>
    [Id(8)] public bool? Late { get; init; }
}

/// <summary>The district relief plan (GET /api/v1/relief/plan).</summary>
[GenerateSerializer, Immutable, Alias("huadu.ReliefPlan")]
public sealed record ReliefPlan
{
    [Id(0)] public required long PlanId { get; init; }
    [Id(1)] public required DateTimeOffset ComputedAt { get; init; }
    [Id(2)] public required string Solver { get; init; }
    [Id(3)] public required int Demands { get; init; }
    /// <summary>People whose full kit the plan brings by their deadline (on top of what is already delivered or on the road).</summary>
    [Id(4)] public required int PeopleCovered { get; init; }
    [Id(5)] public required double PeopleCoveredWeighted { get; init; }
    [Id(6)] public required double TonKm { get; init; }
    [Id(7)] public required IReadOnlyList<ReliefAllocationView> Allocations { get; init; }
    [Id(8)] public required IReadOnlyList<ReliefShortfall> Shortfalls { get; init; }
    [Id(9)] public required IReadOnlyList<string> Escalations { get; init; }
    /// <summary>
    /// Trucks this plan could not use because earlier convoys hold them (loading, on the road, or delivered and not yet back),
    /// per warehouse; empty when every truck was free.
    /// </summary>
    [Id(10)] public IReadOnlyList<TrucksInUse> TrucksInUse { get; init; } = [];
    /// <summary>
    /// Set when the latest attempt to re-plan failed (reading its inputs, the solve or the commit): this plan, the last one stored,
    /// stays in force and the coordinator tries again at <see cref="ReliefSolveFailure.RetryAt"/>. Null when the latest attempt is this plan.
    /// </summary>
    [Id(11)] public ReliefSolveFailure? LastSolveFailure { get; init; }
    /// <summary>
    /// People whose whole kit the plan's late convoys bring after their deadline (by occurredAt + Relief:LateReliefUntil); not
    /// counted in <see cref="PeopleCovered"/>.
    /// </summary>
    [Id(12)] public int PeopleCoveredLate { get; init; }
    /// <summary>
    /// Units the plan sends as partial kits: items held back only because another item of the same kit is short
    /// (KitIncomplete), sent anyway from what the plan leaves. They relieve nobody under the whole-kit rule. Every unit to an
    /// incident the plan relieves nobody at counts, whichever solve sends it.
    /// </summary>
    [Id(13)] public long PartialKitUnits { get; init; }
    /// <summary>
    /// Set when this plan is the plan in force carried on rather than a better plan the planner found, because that one would
    /// have withdrawn convoys in force for too few more people (<c>Relief:Planner:GainPerWithdrawnConvoy</c>): what was
    /// given up, and for how many convoys. Null when the plan is the planner's best.
    /// </summary>
    [Id(14)] public ReliefPlanKeptInForce? KeptInForce { get; init; }
}

/// <summary>
/// A better plan a surge re-plan found but did not commit: it covered <see cref="WeightedPeopleForgone"/> more priority-weighted
/// people (<see cref="PeopleForgone"/> people) but would have withdrawn <see cref="Convoys"/> convoys of the plan in force.
/// </summary>
[GenerateSerializer, Immutable, Alias("huadu.ReliefPlanKeptInForce")]
public sealed record ReliefPlanKeptInForce
{
    [Id(0)] public required int Convoys { get; init; }
    [Id(1)] public required double WeightedPeopleForgone { get; init; }
    [Id(2)] public required int PeopleForgone { get; init; }
}

/// <summary>
/// The district plan in brief, pushed to consoles on the <c>district</c> scope (kind <c>reliefPlan</c>, id the coordinator's key)
/// each time a plan is made or a re-plan fails: the figures of <c>GET /api/v1/relief/plan</c> without its allocation, shortfall
/// and escalation lines, which that endpoint gives. The plan fields are null while no plan was ever made (only a failure).
/// </summary>
[GenerateSerializer, Immutable, Alias("huadu.ReliefPlanSummary")]
public sealed record ReliefPlanSummary
{
    [Id(0)] public long? PlanId { get; init; }
    [Id(1)] public DateTimeOffset? ComputedAt { get; init; }
    [Id(2)] public string? Solver { get; init; }
    [Id(3)] public int Demands { get; init; }
    [Id(4)] public int PeopleCovered { get; init; }
    [Id(5)] public double PeopleCoveredWeighted { get; init; }
    [Id(6)] public double TonKm { get; init; }
    /// <summary>The plan's convoys (distinct shipment ids of its allocations).</summary>
    [Id(7)] public int Shipments { get; init; }
    /// <summary>Shortfall lines (one per incident and item) in all.</summary>
    [Id(8)] public int Shortfalls { get; init; }
    /// <summary>Shortfall lines per reason (StockShort, TooFar, NoTrucks, KitIncomplete); reasons with none are left out.</summary>
    [Id(9)] public IReadOnlyDictionary<string, int> ShortfallsByReason { get; init; } = new Dictionary<string, int>();
    /// <summary>The incidents with at least one shortfall, in id order.</summary>
    [Id(10)] public IReadOnlyList<string> IncidentsShort { get; init; } = [];
    /// <summary>Escalation proposals (agreement reserves to activate, requests to the city).</summary>
    [Id(11)] public int Escalations { get; init; }
    /// <summary>Trucks held by earlier convoys, over all warehouses.</summary>
    [Id(12)] public int TrucksInUse { get; init; }
    /// <summary>Set while the latest re-plan failed: the plan above stays in force and the coordinator retries at its RetryAt.</summary>
    [Id(13)] public ReliefSolveFailure? LastSolveFailure { get; init; }
    /// <summary>People the plan's late convoys relieve after their deadline (<see cref="ReliefPlan.PeopleCoveredLate"/>).</summary>
    [Id(14)] public int PeopleCoveredLate { get; init; }
}

/// <summary>
/// A re-plan that failed: when, in which stage, why, how many attempts in a row, and when the coordinator tries again. (The
/// name is from when only the solve was retried.)
/// </summary>
[GenerateSerializer, Immutable, Alias("huadu.ReliefSolveFailure")]
public sealed record ReliefSolveFailure
{
    [Id(0)] public required DateTimeOffset At { get; init; }
    [Id(1)] public required string Error { get; init; }
    [Id(2)] public required int Attempts { get; init; }
    [Id(3)] public required DateTimeOffset RetryAt { get; init; }
    /// <summary>
    /// <see cref="Stages.Read"/> (reading the demands, warehouses and earlier convoys), <see cref="Stages.Solve"/> (the solver
    /// threw) or <see cref="Stages.Commit"/> (cancelling replaced convoys, reserving, creating convoys, storing the plan).
    /// Failures stored before stages were named were solves.
    /// </summary>
    [Id(4)] public string Stage { get; init; } = Stages.Solve;

    public static class Stages
    {
        public const string Read = "read";
        public const string Solve = "solve";
        public const string Commit = "commit";
    }
}

/// <summary>
/// Thrown by <see cref="IReliefCoordinatorGrain.Replan"/> when a re-plan failed (see <see cref="ReliefSolveFailure.Stage"/>): the
/// previous plan (if any) stays the one stored and the coordinator retries by itself at <see cref="ReliefSolveFailure.RetryAt"/>.
/// The API answers 503 with Retry-After.
/// </summary>
[GenerateSerializer, Alias("huadu.ReliefPlanningFailedException")]
public sealed class ReliefPlanningFailedException : Exception
{
    [Id(0)] public ReliefSolveFailure Failure { get; private set; }
    [Id(1)] public long? PlanInForce { get; private set; }

    public ReliefPlanningFailedException(ReliefSolveFailure failure, long? planInForce) : base(Describe(failure, planInForce))
    {
        Failure = failure;
        PlanInForce = planInForce;
    }

    /// <summary>The failure in words, for the problem details and the log: what failed, which plan stays, when the next try is.</summary>
    public static string Describe(ReliefSolveFailure failure, long? planInForce) =>
        failure.Stage switch
        {
            ReliefSolveFailure.Stages.Read => "reading the relief plan's inputs failed",
            ReliefSolveFailure.Stages.Commit => "committing the solved relief plan failed",
            _ => "the relief solve failed",
        } + $" ({failure.Error}); " +
        (planInForce is not { } id ? "there is no earlier plan"
            : failure.Stage == ReliefSolveFailure.Stages.Commit
                ? $"plan {id} is the last stored, and the next plan puts right the convoys the failed commit cancelled or created"
                : $"plan {id} stays in force") +
        $"; attempt {failure.Attempts} in a row, the next at {failure.RetryAt:O}";
}

/// <summary>Trucks of one warehouse held by convoys of earlier plans.</summary>
[GenerateSerializer, Immutable, Alias("huadu.TrucksInUse")]
public sealed record TrucksInUse
{
    [Id(0)] public required string WarehouseId { get; init; }
    [Id(1)] public required int Trucks { get; init; }
}

/// <summary>An incident's relief (GET /api/v1/incidents/{id}/relief).</summary>
[GenerateSerializer, Immutable, Alias("huadu.IncidentRelief")]
public sealed record IncidentRelief
{
    [Id(0)] public required string IncidentId { get; init; }
    [Id(1)] public required int Affected { get; init; }
    [Id(2)] public required int Relocated { get; init; }
    [Id(3)] public required DateTimeOffset OccurredAt { get; init; }
    [Id(4)] public required DateTimeOffset Deadline { get; init; }
    [Id(5)] public required ReliefStatus Status { get; init; }
    [Id(6)] public required IReadOnlyList<ReliefNeed> Needs { get; init; }
    [Id(7)] public required IReadOnlyList<Shipment> Shipments { get; init; }
    [Id(8)] public required IReadOnlyList<ReliefShortfall> Shortfalls { get; init; }
    [Id(9)] public required int PeopleCoveredByPlan { get; init; }
    /// <summary>Relocated people per shelter id.</summary>
    [Id(10)] public required IReadOnlyDictionary<string, int> Shelters { get; init; }
    [Id(11)] public DateTimeOffset? FirstDeliveryAt { get; init; }
    [Id(12)] public required IReadOnlyList<string> Alerts { get; init; }
    [Id(13)] public required DateTimeOffset UpdatedAt { get; init; }
    [Id(14)] public required bool Open { get; init; }
    /// <summary>
    /// People whose whole kit arrived by the deadline: the most people whose own kit fits in what convoys delivered by then
    /// brought (what they received, or all they carried). All of them when the relief is Met.
    /// </summary>
    [Id(15)] public int PeopleRelievedByDeadline { get; init; }
    /// <summary>
    /// The incident was cancelled (a false alarm) or merged into another (a duplicate; the surviving incident carries the people): this relief is
    /// neither planned nor judged at its deadline, and the relief KPIs leave it out.
    /// </summary>
    [Id(16)] public bool Withdrawn { get; init; }
    /// <summary>Warehouses plans do not send from to this incident (a blocked route), in warehouse id order.</summary>
    [Id(17)] public IReadOnlyList<AvoidedWarehouse> AvoidedWarehouses { get; init; } = [];
    /// <summary>
    /// When the relief demand was created: the first assessment with affected or relocated people reached the district. Null
    /// for a demand created before the twenty-fourth session.
    /// </summary>
    [Id(18)] public DateTimeOffset? KnownAt { get; init; }
    /// <summary>
    /// The incident was merged into this one and its relief handed over there (its convoys under way and delivered, and its
    /// shelter places, count for the surviving incident's people); null otherwise.
    /// </summary>
    [Id(19)] public string? HandedTo { get; init; }
    /// <summary>The merged incidents whose reliefs were handed over to this one (their convoys and shelter places count here).</summary>
    [Id(20)] public IReadOnlyList<string> TakenFrom { get; init; } = [];
}

/// <summary>What the incident tells its relief demand.</summary>
[GenerateSerializer, Immutable, Alias("huadu.ReliefDemandUpdate")]
public sealed record ReliefDemandUpdate
{
    [Id(0)] public required IncidentType Type { get; init; }
    [Id(1)] public required GeoPoint Location { get; init; }
    [Id(2)] public required DateTimeOffset OccurredAt { get; init; }
    [Id(3)] public required int Affected { get; init; }
    [Id(4)] public required int Relocated { get; init; }
    [Id(5)] public required double Priority { get; init; }
    [Id(6)] public required bool Open { get; init; }
    [Id(7)] public required string AreaId { get; init; }
    /// <summary>The incident was cancelled or merged into another (see <see cref="IncidentRelief.Withdrawn"/>).</summary>
    [Id(8)] public bool Withdrawn { get; init; }
    /// <summary>The incident was merged into this one: the relief is handed over there (<see cref="IReliefDemandGrain.HandOver"/>).</summary>
    [Id(9)] public string? MergedInto { get; init; }
}

/// <summary>What the relief of a merged incident hands over to the surviving incident's relief.</summary>
[GenerateSerializer, Immutable, Alias("huadu.ReliefHandOver")]
public sealed record ReliefHandOver
{
    /// <summary>Its convoys loading, on the road or delivered: they go on for (or have reached) the same people.</summary>
    [Id(0)] public required IReadOnlyList<Shipment> Shipments { get; init; }
    /// <summary>The shelters holding its relocated people, with how many: the places pass to the surviving incident.</summary>
    [Id(1)] public required IReadOnlyDictionary<string, int> Shelters { get; init; }
}

/// <summary>What the coordinator plans for one demand.</summary>
[GenerateSerializer, Immutable, Alias("huadu.ReliefPlanningInput")]
public sealed record ReliefPlanningInput
{
    [Id(0)] public required string IncidentId { get; init; }
    [Id(1)] public required IncidentType Type { get; init; }
    [Id(2)] public required GeoPoint Location { get; init; }
    [Id(3)] public required double Priority { get; init; }
    [Id(4)] public required int People { get; init; }
    [Id(5)] public required IReadOnlyList<ItemQuantity> Kit { get; init; }
    [Id(6)] public required DateTimeOffset Deadline { get; init; }
    /// <summary>Until when relief that misses the deadline is still planned (occurredAt + Relief:LateReliefUntil).</summary>
    [Id(7)] public DateTimeOffset LateUntil { get; init; }
    /// <summary>Warehouses not to send from (<see cref="IncidentRelief.AvoidedWarehouses"/>).</summary>
    [Id(8)] public IReadOnlyList<string> AvoidWarehouses { get; init; } = [];
}

[GenerateSerializer, Immutable, Alias("huadu.ReliefKpi")]
public sealed record ReliefKpi
{
    [Id(0)] public required IReadOnlyList<IncidentReliefKpi> Incidents { get; init; }
    /// <summary>Sums over every incident: a long, as many incidents' figures can add up past what an int holds.</summary>
    [Id(1)] public required long Affected { get; init; }
    [Id(2)] public required long RelievedWithin3h { get; init; }
    [Id(3)] public required double ShareRelievedWithin3h { get; init; }
    [Id(4)] public required int Breaches { get; init; }
    [Id(5)] public required int OpenShortfalls { get; init; }
    /// <summary>Initial relief time (first delivery − occurredAt) over the incidents that had a delivery: the median and the longest.</summary>
    [Id(6)] public double? InitialReliefMinutesMedian { get; init; }
    [Id(7)] public double? InitialReliefMinutesMax { get; init; }
    /// <summary>
    /// Incidents past the plan's floor of initial relief within <see cref="ReliefKpis.InitialReliefFloor"/> (6 h): their first
    /// delivery came later, or none has come and the time has passed.
    /// </summary>
    [Id(8)] public required int InitialReliefLate { get; init; }
    /// <summary>
    /// Of <see cref="Breaches"/>, those whose people the district learned of only at or after their deadline (reported late,
    /// or first assessed late): breaches it had no chance to prevent.
    /// </summary>
    [Id(9)] public int BreachesKnownAfterDeadline { get; init; }
}

[GenerateSerializer, Immutable, Alias("huadu.IncidentReliefKpi")]
public sealed record IncidentReliefKpi
{
    [Id(0)] public required string IncidentId { get; init; }
    [Id(1)] public required int Affected { get; init; }
    [Id(2)] public required int RelievedWithin3h { get; init; }
    [Id(3)] public double? InitialReliefMinutes { get; init; }
    [Id(4)] public required ReliefStatus Status { get; init; }
    [Id(5)] public required int OpenShortfalls { get; init; }
    /// <summary>RelievedWithin3h / Affected (0 when nobody is affected), to 4 decimals.</summary>
    [Id(6)] public required double ShareRelievedWithin3h { get; init; }
    /// <summary>Whether the relief was judged Breached at its deadline.</summary>
    [Id(7)] public required bool Breached { get; init; }
    /// <summary>Whether the relief demand was created at or after its deadline (<see cref="IncidentRelief.KnownAt"/>).</summary>
    [Id(8)] public bool KnownAfterDeadline { get; init; }
}

/// <summary>The relief demand of one incident (keyed by the incident id).</summary>
[Alias("huadu.IReliefDemandGrain")]
public interface IReliefDemandGrain : IGrainWithStringKey
{
    [Alias("Update")] Task Update(ReliefDemandUpdate update, Actor actor);
    [Alias("Get"), ReadOnly] Task<IncidentRelief?> Get();
    [Alias("GetPlanningInput"), ReadOnly] Task<ReliefPlanningInput?> GetPlanningInput();
    /// <summary>As <see cref="GetPlanningInput"/>, counting as on the way the convoys the coordinator read under way (Loading, Departed).</summary>
    [Alias("GetPlanningInputWith"), ReadOnly] Task<ReliefPlanningInput?> GetPlanningInputWith(IReadOnlyList<Shipment> underWay);
    [Alias("ApplyPlan")] Task ApplyPlan(long planId, IReadOnlyList<Shipment> planned, IReadOnlyList<ReliefShortfall> shortfalls, int peopleCovered);
    [Alias("ShipmentChanged")] Task ShipmentChanged(Shipment shipment, bool replan);
    /// <summary>The coordinator withdrew a Planned convoy its new plan replaced: it was never more than a plan, and leaves the relief's list.</summary>
    [Alias("ShipmentWithdrawn")] Task ShipmentWithdrawn(string shipmentId);
    /// <summary>Checks the deadline now (the reminder does this at deadline − 30 min and at the deadline).</summary>
    [Alias("CheckDeadline")] Task<IncidentRelief?> CheckDeadline();
    /// <summary>The demand's alerts, oldest first (empty for an incident without a relief demand).</summary>
    [Alias("GetAlerts"), ReadOnly] Task<IReadOnlyList<ReliefAlert>> GetAlerts();
    /// <summary>The incident has stored the note of this status (AtRisk or Breached): the demand stops sending it.</summary>
    [Alias("IncidentNoted"), OneWay] Task IncidentNoted(ReliefStatus status);
    /// <summary>
    /// A shelter has room again: if some of this incident's relocated people have no place yet (ShelterShort), they are placed
    /// now, nearest shelters first, as when the figures came.
    /// </summary>
    [Alias("PlaceAgain"), OneWay] Task PlaceAgain();
    /// <summary>
    /// A dispatcher closed a shelter that listed places of this incident: the shelter released them (it holds nobody), and the
    /// relief drops the shelter from its placements and places those people again, nearest shelters with room first. One-way:
    /// the shelter may be called by this grain.
    /// </summary>
    [Alias("ShelterClosed"), OneWay] Task ShelterClosed(string shelterId);
    /// <summary>Plans stop sending from <paramref name="warehouseId"/> to this incident (stored, then a re-plan is asked for).</summary>
    [Alias("AvoidWarehouse")] Task<IncidentRelief> AvoidWarehouse(string warehouseId, string? reason, string? shipmentId, Actor actor);
    /// <summary>Plans may send from <paramref name="warehouseId"/> again; a no-op when it was not avoided.</summary>
    [Alias("AllowWarehouse")] Task<IncidentRelief> AllowWarehouse(string warehouseId, Actor actor);
    /// <summary>
    /// The incident was merged into <paramref name="survivor"/>: this relief hands its convoys under way and delivered and its
    /// shelter places to the survivor's relief (<see cref="TakeOver"/>), and from then on passes its convoys' news there.
    /// Idempotent. Called by the surviving incident, before it adds this incident's figures to its own.
    /// </summary>
    /// <summary>
    /// People of this closed incident left shelter <paramref name="shelterId"/> (all of its places when <paramref name="people"/>
    /// is null): its places there are released. 409 while the incident is open (its relocated figure places its people).
    /// </summary>
    [Alias("PeopleLeft")] Task<IncidentRelief> PeopleLeft(string shelterId, int? people, Actor actor);
    [Alias("HandOver")] Task HandOver(string survivor, Actor actor);
    /// <summary>
    /// Takes over the relief of an incident merged into this one (<paramref name="from"/>): its convoys count here, its shelter
    /// places become this incident's (the shelters are told). Idempotent per <paramref name="from"/>.
    /// </summary>
    [Alias("TakeOver")] Task TakeOver(string from, ReliefHandOver handOver, Actor actor);
}

/// <summary>Kinds of relief alert in the dispatcher feed (GET /api/v1/relief/alerts).</summary>
[Alias("huadu.ReliefAlertKind")]
public enum ReliefAlertKind
{
    /// <summary>A plan left items short; escalation (agreement reserves, a request to the city) is proposed.</summary>
    Shortfall,
    /// <summary>Relocated people without a shelter place.</summary>
    ShelterShort,
    /// <summary>Relief incomplete 30 min before the deadline.</summary>
    AtRisk,
    /// <summary>Every item delivered by the deadline.</summary>
    Met,
    /// <summary>Items still missing at the deadline.</summary>
    Breached,
    /// <summary>
    /// The relief was withdrawn (the incident cancelled or merged) while convoys were loading or on the road: a dispatcher
    /// cancels a loading one to give its stock back, or lets it go on (a merged incident's people may still need it).
    /// </summary>
    ConvoyUnderWay,
    /// <summary>
    /// Relocated people were placed farther than <c>Relief:ShelterFarKm</c> from the incident (the nearer shelters are full or
    /// closed): the coordinator arranges transport, or opens a nearer place.
    /// </summary>
    ShelterFar,
    /// <summary>
    /// A plan brings every item by the deadline to an incident whose last plan left items short (its last <see cref="Shortfall"/>
    /// no longer holds); not raised when the lines go because the deadline passed or the incident closed.
    /// </summary>
    ShortfallCleared,
}

/// <summary>One relief alert of one incident.</summary>
[GenerateSerializer, Immutable, Alias("huadu.ReliefAlert")]
public sealed record ReliefAlert
{
    [Id(0)] public required string IncidentId { get; init; }
    [Id(1)] public required ReliefAlertKind Kind { get; init; }
    [Id(2)] public required string Text { get; init; }
    [Id(3)] public required DateTimeOffset At { get; init; }
}

/// <summary>One shipment (keyed by its id).</summary>
[Alias("huadu.IShipmentGrain")]
public interface IShipmentGrain : IGrainWithStringKey
{
    [Alias("Create")] Task Create(Shipment shipment);
    /// <summary>The convoy as stored. It interleaves: a read never waits on a status change telling its relief.</summary>
    [Alias("Get"), AlwaysInterleave] Task<Shipment?> Get();
    [Alias("UpdateStatus")] Task<Shipment> UpdateStatus(ShipmentStatusRequest request, Actor actor);
    /// <summary>
    /// The coordinator withdraws a convoy its new plan replaces: cancelled (stock given back) only if it is still Planned.
    /// Returns the shipment as it is afterwards; one that started loading meanwhile is left as it is.
    /// </summary>
    [Alias("Withdraw")] Task<Shipment?> Withdraw();
    /// <summary>
    /// The coordinator amends a convoy its new plan changes on the same route: new lines, trucks and times, under the same id,
    /// with the warehouse reservation changed to match. Only a Planned convoy is amended, and only when the warehouse's stock
    /// covers what the new lines add. Returns the shipment as it is afterwards, amended or not.
    /// </summary>
    [Alias("Amend")] Task<Shipment?> Amend(ShipmentAmendment amendment);
}

/// <summary>What a re-plan changes on a Planned convoy it keeps on the same route (<see cref="IShipmentGrain.Amend"/>).</summary>
[GenerateSerializer, Immutable, Alias("huadu.ShipmentAmendment")]
public sealed record ShipmentAmendment
{
    [Id(0)] public required IReadOnlyList<ItemQuantity> Lines { get; init; }
    [Id(1)] public required int Trucks { get; init; }
    [Id(2)] public required DateTimeOffset Departure { get; init; }
    [Id(3)] public required DateTimeOffset Eta { get; init; }
    [Id(4)] public required double DistanceKm { get; init; }
    /// <summary>The plan that amends it.</summary>
    [Id(5)] public required long PlanId { get; init; }
}

/// <summary>The district relief coordinator (key "huadu"): plans all open demands over all warehouses, the solve off its turn.</summary>
[Alias("huadu.IReliefCoordinatorGrain")]
public interface IReliefCoordinatorGrain : IGrainWithStringKey
{
    [Alias("Track"), OneWay] Task Track(string incidentId);
    [Alias("RequestReplan"), OneWay] Task RequestReplan();
    /// <summary>
    /// A warehouse's available stock of <paramref name="itemCode"/> went up (a receipt, or an adjustment up): the coordinator
    /// plans again (as <see cref="RequestReplan"/>) if its plan is short of that item.
    /// </summary>
    [Alias("StockAdded"), OneWay] Task StockAdded(string itemCode);
    /// <summary>
    /// Reference data was loaded anew (a warehouse added, a fleet or a mobilisation time changed, the item catalogue): the
    /// coordinator plans again (as <see cref="RequestReplan"/>) if its plan has demands.
    /// </summary>
    [Alias("ReferenceDataChanged"), OneWay] Task ReferenceDataChanged();
    /// <summary>
    /// A shelter has room again (its head count went down, or a reload added a shelter or raised a capacity): every open relief
    /// with relocated people not yet placed tries again. It interleaves with a running solve: it only reads the tracked
    /// incidents, and people waiting for a bed should not wait for the solve's budget.
    /// </summary>
    [Alias("ShelterRoom"), OneWay, AlwaysInterleave] Task ShelterRoom();
    /// <summary>A delivered convoy's trucks are back at <paramref name="backAt"/>: the coordinator plans again then if its plan has shortfalls.</summary>
    [Alias("TrucksReturning"), OneWay] Task TrucksReturning(DateTimeOffset backAt);
    /// <summary>
    /// Plans now and commits the plan. When that fails (reading the inputs, the solve or the commit) it throws
    /// <see cref="ReliefPlanningFailedException"/>: the previous plan stays the one stored and the coordinator tries again by
    /// itself, with a growing delay, until a plan is made.
    /// </summary>
    [Alias("Replan")] Task<ReliefPlan> Replan();
    /// <summary>
    /// A re-plan asked for at <paramref name="askedAt"/> (a dispatcher's button): the plan in force if it was computed from
    /// what was known at or after that time (another request's, queued before this one), else a new one as <see cref="Replan"/>.
    /// </summary>
    [Alias("ReplanAsOf")] Task<ReliefPlan> ReplanAsOf(DateTimeOffset askedAt);
    // The reads below interleave with everything, a re-plan included (its solve takes up to its budget, seconds): a console's
    // district snapshot, the plan and the KPIs must not wait for it. They read the plan and failure as last stored.
    /// <summary>The plan in force, with <see cref="ReliefPlan.LastSolveFailure"/> when the latest re-plan failed.</summary>
    [Alias("GetPlan"), AlwaysInterleave] Task<ReliefPlan?> GetPlan();
    /// <summary>The latest re-plan's failure, when it failed (also when there is no plan yet to carry it).</summary>
    [Alias("GetSolveFailure"), AlwaysInterleave] Task<ReliefSolveFailure?> GetSolveFailure();
    /// <summary>The plan in brief, as the district scope's <c>reliefPlan</c> entity; null before any plan or failure.</summary>
    [Alias("GetSummary"), AlwaysInterleave] Task<ReliefPlanSummary?> GetSummary();
    /// <summary>Every incident that ever had relief: those the coordinator tracks and those it archived.</summary>
    [Alias("GetTracked"), AlwaysInterleave] Task<IReadOnlyList<string>> GetTracked();
    /// <summary>The incidents whose deadline is at or after <paramref name="since"/>, or not known yet (tracked or archived).</summary>
    [Alias("GetTrackedSince"), AlwaysInterleave] Task<IReadOnlyList<string>> GetTrackedSince(DateTimeOffset since);
}

/// <summary>
/// One month of the relief coordinator's archive (key "relief-yyyy-MM", the month of the deadlines in UTC): the incidents whose
/// relief deadline passed long enough ago, each with its deadline. Written only by the coordinator.
/// </summary>
[Alias("huadu.IReliefArchiveGrain")]
public interface IReliefArchiveGrain : IGrainWithStringKey
{
    /// <summary>Adds incidents with their deadlines; those already here stay as they are (a retried move applies once).</summary>
    [Alias("Add")] Task Add(IReadOnlyDictionary<string, DateTimeOffset> incidents);
    [Alias("Get"), ReadOnly] Task<IReadOnlyDictionary<string, DateTimeOffset>> Get();
}

public static class ReliefCoordinator
{
    public const string GrainKey = "huadu";
}

/// <summary>Shared by the plan's escalations and the EDXL-RM export, so both name the same shortfalls.</summary>
public static class ReliefCityRequest
{
    /// <summary>Where the request to the city is exported as an OASIS EDXL-RM RequestResource message.</summary>
    public const string Endpoint = "/api/v1/relief/requests/edxl-rm";

    /// <summary>
    /// Whether a shortfall needs the city: StockShort, TooFar and NoTrucks do; KitIncomplete does not (that item could come, another
    /// item of the same kit is short and has its own shortfall).
    /// </summary>
    public static bool NeedsCity(ReliefShortfall shortfall) => shortfall.Reason != "KitIncomplete";
}
