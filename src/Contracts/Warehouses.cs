namespace HuaduDispatch.Contracts;

/// <summary>Stock of one item in one warehouse. available = onHand - reserved.</summary>
[GenerateSerializer, Immutable, Alias("huadu.StockLevel")]
public sealed record StockLevel
{
    [Id(0)] public required string ItemCode { get; init; }
    [Id(1)] public required long OnHand { get; init; }
    [Id(2)] public required long Reserved { get; init; }
    public long Available => OnHand - Reserved;
}

/// <summary>A warehouse as the API shows it: reference description plus live stock.</summary>
[GenerateSerializer, Immutable, Alias("huadu.Warehouse")]
public sealed record Warehouse
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required WarehouseKind Kind { get; init; }
    [Id(2)] public DepotCategory? Category { get; init; }
    [Id(3)] public required string NameZh { get; init; }
    [Id(4)] public required string NameEn { get; init; }
    [Id(5)] public required string AreaId { get; init; }
    [Id(6)] public required GeoPoint Position { get; init; }
    [Id(7)] public string? Operator { get; init; }
    [Id(8)] public required int MobilisationMinutes { get; init; }
    [Id(9)] public required Fleet Fleet { get; init; }
    [Id(10)] public required IReadOnlyList<StockLevel> Stock { get; init; }
    /// <summary>For an enterprise agreement reserve (代储): its activation while it is active, else null. Relief plans use an agreement reserve only while it is active.</summary>
    [Id(11)] public ReserveActivation? Activation { get; init; }
}

/// <summary>Who activated an agreement reserve, when and why (durable warehouse state).</summary>
[GenerateSerializer, Immutable, Alias("huadu.ReserveActivation")]
public sealed record ReserveActivation
{
    [Id(0)] public required string ActivatedBy { get; init; }
    [Id(1)] public required DateTimeOffset ActivatedAt { get; init; }
    [Id(2)] public required string Reason { get; init; }
}

/// <summary>Body of POST /api/v1/warehouses/{id}/activation.</summary>
[GenerateSerializer, Immutable, Alias("huadu.ReserveActivationRequest")]
public sealed record ReserveActivationRequest
{
    [Id(0)] public string? Reason { get; init; }
}

/// <summary>One warehouse of the reserve network (one grain per warehouse, keyed by warehouse id); the only writer of its stock.</summary>
[Alias("huadu.IWarehouseGrain")]
public interface IWarehouseGrain : IGrainWithStringKey
{
    /// <summary>Creates the warehouse or updates its description. Initial stock is taken only the first time.</summary>
    [Alias("ApplyDefinition")] Task ApplyDefinition(WarehouseDefinition definition);

    /// <summary>The warehouse with its stock, or null when no reference data set ever defined it.</summary>
    [Alias("Get"), Orleans.Concurrency.ReadOnly] Task<Warehouse?> Get();

    /// <summary>Receive, Issue or Adjust; stock never goes negative and reserved stock cannot be issued (409).</summary>
    /// <param name="requestKey">The request's client-scoped Idempotency-Key and fingerprint, if it has one: a movement recorded under
    /// it in the last 24 hours is returned again instead of being booked twice (a retry after the node died before the response
    /// was kept).</param>
    [Alias("RecordMovement")] Task<StockMovement> RecordMovement(StockMovementRequest request, Actor actor, string? requestKey = null);
    [Alias("GetMovements"), Orleans.Concurrency.ReadOnly] Task<IReadOnlyList<StockMovement>> GetMovements();
    /// <summary>Holds stock for a plan, all lines or none; a retried reservation with the same id applies once.</summary>
    [Alias("Reserve")] Task<bool> Reserve(string reservationId, IReadOnlyList<ReservationLine> lines, Actor actor);
    /// <summary>
    /// Changes a held reservation to hold exactly <paramref name="lines"/> (a re-plan amending a convoy in place): true when it
    /// holds them now (also when it already did); false, changing nothing, when the available stock does not cover what the
    /// lines add, or the reservation is not held (unknown, released or shipped).
    /// </summary>
    [Alias("AmendReservation")] Task<bool> AmendReservation(string reservationId, IReadOnlyList<ReservationLine> lines, Actor actor);
    /// <summary>The ids of the reservations held now (each a relief convoy's, by the same id), in no particular order.</summary>
    [Alias("GetHeldReservations"), Orleans.Concurrency.ReadOnly] Task<IReadOnlyList<string>> GetHeldReservations();
    /// <summary>
    /// Gives held stock back; idempotent. False when the reservation has shipped (its convoy left, and nothing comes back); true
    /// otherwise, also for an unknown or already released one.
    /// </summary>
    [Alias("ReleaseReservation")] Task<bool> ReleaseReservation(string reservationId, Actor actor);
    /// <summary>The held stock leaves the warehouse (on hand and reserved both go down); idempotent.</summary>
    [Alias("ShipReservation")] Task ShipReservation(string reservationId, Actor actor);
    /// <summary>Activates an agreement reserve for relief plans: 400 without a reason, 409 if not an agreement reserve or already active.</summary>
    [Alias("Activate")] Task<Warehouse> Activate(ReserveActivationRequest request, Actor actor);
    /// <summary>Ends an agreement reserve's activation: 409 if it is not active.</summary>
    [Alias("Deactivate")] Task<Warehouse> Deactivate(Actor actor);
}

/// <summary>
/// One page of a warehouse's older stock movements (keyed "{warehouseId}#{page}", page 0 holding seq 1 to
/// <see cref="PageSize"/>, and so on): the warehouse keeps only its recent movements in its own state and moves the older
/// ones here, so its state, written whole on every change, stays small however long its history.
/// </summary>
[Alias("huadu.IStockMovementArchiveGrain")]
public interface IStockMovementArchiveGrain : IGrainWithStringKey
{
    public const int PageSize = 500;

    public static string Key(string warehouseId, long page) => $"{warehouseId}#{page}";

    /// <summary>The page that holds movement <paramref name="seq"/> (seq starts at 1).</summary>
    public static long PageOf(long seq) => (seq - 1) / PageSize;

    /// <summary>Appends movements in seq order; those already kept (a retried append) are skipped.</summary>
    [Alias("Append")] Task Append(IReadOnlyList<StockMovement> movements);
    [Alias("Get"), Orleans.Concurrency.ReadOnly] Task<IReadOnlyList<StockMovement>> Get();
}

[Alias("huadu.StockMovementKind")]
public enum StockMovementKind
{
    /// <summary>Stock received (quantity &gt; 0).</summary>
    Receive,
    /// <summary>Stock issued outside a relief plan (quantity &gt; 0); only available stock can be issued.</summary>
    Issue,
    /// <summary>A stocktake correction (signed quantity, not 0).</summary>
    Adjust,
    /// <summary>Reserved stock that left on a shipment (recorded by the system; a client cannot send it).</summary>
    [SystemOnly] Shipped,
}

/// <summary>Body of POST /api/v1/warehouses/{id}/stock-movements.</summary>
[GenerateSerializer, Immutable, Alias("huadu.StockMovementRequest")]
public sealed record StockMovementRequest
{
    [Id(0)] public string? ItemCode { get; init; }
    [Id(1)] public long? Quantity { get; init; }
    [Id(2)] public StockMovementKind? Kind { get; init; }
    [Id(3)] public string? Reason { get; init; }
}

/// <summary>One recorded stock movement: what changed, by how much (signed), who did it and when.</summary>
[GenerateSerializer, Immutable, Alias("huadu.StockMovement")]
public sealed record StockMovement
{
    [Id(0)] public required long Seq { get; init; }
    [Id(1)] public required string ItemCode { get; init; }
    [Id(2)] public required StockMovementKind Kind { get; init; }
    [Id(3)] public required long Change { get; init; }
    [Id(4)] public required long OnHandAfter { get; init; }
    [Id(5)] public required string Reason { get; init; }
    [Id(6)] public required string Actor { get; init; }
    [Id(7)] public required DateTimeOffset At { get; init; }
    [Id(8)] public string? ReservationId { get; init; }
}

[GenerateSerializer, Immutable, Alias("huadu.ReservationLine")]
public sealed record ReservationLine
{
    [Id(0)] public required string ItemCode { get; init; }
    [Id(1)] public required long Quantity { get; init; }
}
