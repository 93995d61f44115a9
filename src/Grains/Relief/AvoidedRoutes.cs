using HuaduDispatch.Contracts;

namespace HuaduDispatch.Grains.Relief;

/// <summary>
/// Warehouses an incident's relief must not be sent from: a dispatcher cancelled a convoy because of its route (a road blocked,
/// a bridge out), or said so directly. Plans leave those routes out until a dispatcher allows the warehouse again; without
/// this, the next plan sent the cancelled convoy straight back on the same road.
/// </summary>
public static class AvoidedRoutes
{
    public const int MaxReasonLength = 500;

    /// <summary>The reason as stored: trimmed, null when blank; a 400 when longer than <see cref="MaxReasonLength"/>.</summary>
    public static string? Reason(string? raw)
    {
        var reason = string.IsNullOrWhiteSpace(raw) ? null : raw.Trim();
        if (reason is { Length: > MaxReasonLength }) throw DomainException.Invalid("reason", $"reason must be at most {MaxReasonLength} characters");
        return reason;
    }

    /// <summary>
    /// The entry to keep for <paramref name="warehouseId"/>: the one already there (an avoid said twice, or a retry, keeps who
    /// said it first and when), or a new one.
    /// </summary>
    public static AvoidedWarehouse Avoid(IReadOnlyDictionary<string, AvoidedWarehouse> current, string warehouseId, string? reason,
        string? shipmentId, Actor actor, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(actor);
        if (string.IsNullOrWhiteSpace(warehouseId)) throw DomainException.Invalid("warehouseId", "warehouseId is required");
        var why = Reason(reason);
        return current.TryGetValue(warehouseId, out var known)
            ? known
            : new AvoidedWarehouse { WarehouseId = warehouseId, Reason = why, By = actor.Subject, At = now, ShipmentId = shipmentId };
    }
}
