using HuaduDispatch.Contracts;

namespace HuaduDispatch.Grains.Warehouses;

[GenerateSerializer, Alias("huadu.HeldReservation")]
public sealed class HeldReservation
{
    [Id(0)] public List<ReservationLine> Lines { get; set; } = [];
    /// <summary>Held, Shipped or Released.</summary>
    [Id(1)] public string Status { get; set; } = "Held";
    /// <summary>When it was released (null for one released before this was recorded: counted from the next prune).</summary>
    [Id(2)] public DateTimeOffset? ReleasedAt { get; set; }
}

/// <summary>
/// The stock rules of one warehouse, on its state: on hand never below 0, reserved never above on hand, available = on hand −
/// reserved; reservations all-or-nothing and keyed by id so a retry applies once. Movements are recorded with who and when.
/// </summary>
public sealed class StockLedger(WarehouseState state)
{
    private StockEntry Entry(string item) => state.Stock.TryGetValue(item, out var e) ? e : state.Stock[item] = new StockEntry();

    /// <summary>The largest quantity one movement moves (either way for an Adjust).</summary>
    public const long MaxQuantity = 1_000_000_000;

    public long Available(string item) => state.Stock.TryGetValue(item, out var e) ? e.OnHand - e.Reserved : 0;

    public StockMovement Record(StockMovementRequest request, Actor actor, DateTimeOffset now, IReadOnlySet<string> knownItems)
    {
        if (string.IsNullOrWhiteSpace(request.ItemCode)) throw DomainException.Invalid("itemCode", "itemCode is required");
        if (!knownItems.Contains(request.ItemCode)) throw DomainException.Invalid("itemCode", $"unknown item '{request.ItemCode}'");
        if (request.Kind is not { } kind) throw DomainException.Invalid("kind", "kind is required: Receive, Issue or Adjust");
        if (kind == StockMovementKind.Shipped)
            throw DomainException.Invalid("kind", "Shipped is recorded by a convoy's departure, not sent; send Receive, Issue or Adjust");
        if (request.Quantity is not { } quantity) throw DomainException.Invalid("quantity", "quantity is required");
        if (string.IsNullOrWhiteSpace(request.Reason)) throw DomainException.Invalid("reason", "a stock movement needs a reason");
        var article = kind == StockMovementKind.Issue ? "an" : "a";
        if (kind is StockMovementKind.Receive or StockMovementKind.Issue && quantity <= 0)
            throw DomainException.Invalid("quantity", $"{article} {kind} needs a positive quantity");
        if (kind == StockMovementKind.Adjust && quantity == 0) throw DomainException.Invalid("quantity", "an adjustment of 0 changes nothing");
        if (Math.Abs(quantity) > MaxQuantity)
            throw DomainException.Invalid("quantity", kind == StockMovementKind.Adjust
                ? $"quantity {quantity} is out of range: an Adjust takes from -{MaxQuantity} to {MaxQuantity} (not 0)"
                : $"quantity {quantity} is out of range: {article} {kind} takes from 1 to {MaxQuantity}");

        var change = kind == StockMovementKind.Issue ? -quantity : quantity;
        // Read without adding a line: a refused movement of an item the warehouse never held leaves no line of 0 behind.
        var (onHand, reserved) = state.Stock.TryGetValue(request.ItemCode, out var held) ? (held.OnHand, held.Reserved) : (0L, 0L);
        if (onHand + change < 0)
            throw DomainException.Conflict($"{request.ItemCode}: {onHand} on hand; a change of {change} would make it negative");
        if (onHand + change < reserved)
            throw DomainException.Conflict($"{request.ItemCode}: {reserved} of {onHand} are reserved for relief; only {onHand - reserved} can go");
        Entry(request.ItemCode).OnHand += change;
        return Append(request.ItemCode, kind, change, request.Reason.Trim(), actor, now, null);
    }

    /// <summary>True when held now (or already held under this id); false when the available stock does not cover every line.</summary>
    public bool Reserve(string id, IReadOnlyList<ReservationLine> lines)
    {
        if (state.Reservations.TryGetValue(id, out var existing)) return existing.Status is "Held" or "Shipped";
        if (lines.Any(l => l.Quantity <= 0)) throw DomainException.Invalid("lines", "reserved quantities must be positive");
        var byItem = lines.GroupBy(l => l.ItemCode).ToDictionary(g => g.Key, g => g.Sum(l => l.Quantity));
        if (byItem.Any(kv => Available(kv.Key) < kv.Value)) return false;
        foreach (var (item, qty) in byItem) Entry(item).Reserved += qty;
        state.Reservations[id] = new HeldReservation { Lines = [.. byItem.Select(kv => new ReservationLine { ItemCode = kv.Key, Quantity = kv.Value })] };
        return true;
    }

    /// <summary>
    /// Makes a held reservation hold exactly <paramref name="lines"/>: true when it does now (also when it already did); false,
    /// changing nothing, when it is not held or the available stock does not cover what the lines add to any item.
    /// <paramref name="changed"/> says whether it held other lines before (a retry changes nothing).
    /// </summary>
    public bool Amend(string id, IReadOnlyList<ReservationLine> lines, out bool changed)
    {
        changed = false;
        if (lines.Any(l => l.Quantity <= 0)) throw DomainException.Invalid("lines", "reserved quantities must be positive");
        if (!state.Reservations.TryGetValue(id, out var r) || r.Status != "Held") return false;
        var wanted = lines.GroupBy(l => l.ItemCode).ToDictionary(g => g.Key, g => g.Sum(l => l.Quantity));
        var held = r.Lines.GroupBy(l => l.ItemCode).ToDictionary(g => g.Key, g => g.Sum(l => l.Quantity));
        var change = wanted.Keys.Union(held.Keys).ToDictionary(item => item, item => wanted.GetValueOrDefault(item) - held.GetValueOrDefault(item));
        if (change.Any(kv => kv.Value > 0 && Available(kv.Key) < kv.Value)) return false;
        changed = change.Values.Any(delta => delta != 0);
        if (!changed) return true;
        foreach (var (item, delta) in change) if (delta != 0) Entry(item).Reserved += delta;
        r.Lines = [.. wanted.Select(kv => new ReservationLine { ItemCode = kv.Key, Quantity = kv.Value })];
        return true;
    }

    /// <summary>Whether reservation <paramref name="id"/> has shipped: its stock left with its convoy, and nothing comes back.</summary>
    public bool Shipped(string id) => state.Reservations.TryGetValue(id, out var r) && r.Status == "Shipped";

    /// <summary>How long a movement recorded under a request's Idempotency-Key is kept for retries: the key's own retention.</summary>
    public static readonly TimeSpan KeyedMovementRetention = TimeSpan.FromHours(24);

    /// <summary>The movement booked under <paramref name="requestKey"/> (a retry whose first response was lost), or null.</summary>
    public StockMovement? Booked(string? requestKey) =>
        requestKey is not null && state.KeyedMovements.TryGetValue(requestKey, out var booked) ? booked : null;

    /// <summary>
    /// Keeps <paramref name="movement"/> under <paramref name="requestKey"/> (if any) for <see cref="KeyedMovementRetention"/>,
    /// and forgets those kept longer (written with this change).
    /// </summary>
    public void Keep(string? requestKey, StockMovement movement, DateTimeOffset now)
    {
        foreach (var old in state.KeyedMovements.Where(k => now - k.Value.At > KeyedMovementRetention).Select(k => k.Key).ToList())
            state.KeyedMovements.Remove(old);
        if (requestKey is not null) state.KeyedMovements[requestKey] = movement;
    }

    public bool Release(string id, DateTimeOffset now)
    {
        if (!state.Reservations.TryGetValue(id, out var r) || r.Status != "Held") return false;
        foreach (var l in r.Lines) Entry(l.ItemCode).Reserved -= l.Quantity;
        r.Status = "Released";
        r.ReleasedAt = now;
        return true;
    }

    /// <summary>
    /// How long a released reservation's id is remembered. Every re-plan releases the convoys it replaces, so without this a
    /// warehouse's state (written whole on every change) grew with each plan. Its only use is to refuse a late retry of the same
    /// id, which comes within seconds (plan ids, and so reservation ids, are never reused). Shipped ones stay: their movements do.
    /// </summary>
    public static readonly TimeSpan ReleasedRetention = TimeSpan.FromHours(24);

    /// <summary>Forgets reservations released more than <see cref="ReleasedRetention"/> before <paramref name="now"/>; true if any went.</summary>
    public bool PruneReleased(DateTimeOffset now)
    {
        var pruned = false;
        foreach (var (id, r) in state.Reservations.Where(kv => kv.Value.Status == "Released").ToList())
        {
            if (r.ReleasedAt is not { } at) r.ReleasedAt = now;
            else if (now - at > ReleasedRetention) pruned |= state.Reservations.Remove(id);
        }
        return pruned;
    }

    public IReadOnlyList<StockMovement> Ship(string id, Actor actor, DateTimeOffset now)
    {
        if (!state.Reservations.TryGetValue(id, out var r)) throw DomainException.NotFound($"no reservation '{id}'");
        if (r.Status == "Shipped") return [];
        if (r.Status == "Released") throw DomainException.Conflict($"reservation {id} was released");
        var movements = new List<StockMovement>();
        foreach (var l in r.Lines)
        {
            var e = Entry(l.ItemCode);
            e.Reserved -= l.Quantity;
            e.OnHand -= l.Quantity;
            movements.Add(Append(l.ItemCode, StockMovementKind.Shipped, -l.Quantity, "shipped for relief", actor, now, id));
        }
        r.Status = "Shipped";
        return movements;
    }

    /// <summary>How many movements a warehouse keeps in its own state before the older ones go to archive pages.</summary>
    public const int RecentMovements = 200;

    /// <summary>
    /// The movements to move to the archive pages: none while at most <see cref="RecentMovements"/> are kept here, then all but
    /// the newest half of that, oldest first (so a warehouse archives once per <see cref="RecentMovements"/>/2 movements).
    /// </summary>
    public IReadOnlyList<StockMovement> ToArchive() =>
        state.Movements.Count <= RecentMovements ? [] : state.Movements.Take(state.Movements.Count - RecentMovements / 2).ToList();

    /// <summary>Forgets <paramref name="moved"/> (the oldest recent movements, now in the archive pages); numbering goes on after them.</summary>
    public void Archived(IReadOnlyList<StockMovement> moved)
    {
        if (moved.Count == 0) return;
        if (state.Movements.Count < moved.Count || state.Movements[moved.Count - 1].Seq != moved[^1].Seq)
            throw new InvalidOperationException("only the oldest recent movements can be archived");
        state.ArchivedThrough = moved[^1].Seq;
        state.Movements.RemoveRange(0, moved.Count);
    }

    private StockMovement Append(string item, StockMovementKind kind, long change, string reason, Actor actor, DateTimeOffset now, string? reservationId)
    {
        var movement = new StockMovement
        {
            Seq = state.ArchivedThrough + state.Movements.Count + 1, ItemCode = item, Kind = kind, Change = change, OnHandAfter = state.Stock[item].OnHand,
            Reason = reason, Actor = actor.Subject, At = now, ReservationId = reservationId,
        };
        state.Movements.Add(movement);
        return movement;
    }
}
