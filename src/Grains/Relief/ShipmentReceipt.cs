using HuaduDispatch.Contracts;

namespace HuaduDispatch.Grains.Relief;

/// <summary>
/// What a delivered convoy brought (<c>POST /api/v1/shipments/{id}/status {"status": "Delivered", "received": [...]}</c>):
/// <c>received</c> lists only the items that came short, each with the quantity that did arrive; every line it does not name
/// arrived as planned. Without <c>received</c>, everything arrived.
/// </summary>
public static class ShipmentReceipt
{
    /// <summary>Every planned line with the quantity that arrived; throws a DomainException (400) for a list it cannot take.</summary>
    public static IReadOnlyList<ItemQuantity> Arrived(IReadOnlyList<ItemQuantity> planned, IReadOnlyList<ItemQuantity?> received)
    {
        ArgumentNullException.ThrowIfNull(planned);
        ArgumentNullException.ThrowIfNull(received);
        if (received.Count == 0)
            throw DomainException.Invalid("received", "received is empty: leave it out when everything planned arrived, or list the items that came short, " +
                "each with the quantity that arrived (the items it does not list arrived as planned)");
        if (received.Any(r => r is null || string.IsNullOrWhiteSpace(r.ItemCode)))
            throw DomainException.Invalid("received", "every received line needs an itemCode and a quantity");
        var max = planned.GroupBy(l => l.ItemCode, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(l => l.Quantity), StringComparer.Ordinal);
        foreach (var r in received)
        {
            if (!max.TryGetValue(r!.ItemCode, out var most)) throw DomainException.Invalid("received", $"item '{r.ItemCode}' was not on this shipment");
            if (r.Quantity < 0 || r.Quantity > most) throw DomainException.Invalid("received", $"{r.ItemCode}: received must be between 0 and {most}");
        }
        if (received.GroupBy(r => r!.ItemCode, StringComparer.Ordinal).Any(g => g.Count() > 1)) throw DomainException.Invalid("received", "an item is listed twice");
        var came = received.ToDictionary(r => r!.ItemCode, r => r!.Quantity, StringComparer.Ordinal);
        return [.. planned.Select(l => came.TryGetValue(l.ItemCode, out var q) ? l with { Quantity = q } : l)];
    }

    /// <summary>Whether anything at all arrived (a delivery of nothing is no first delivery for the incident's initial relief time).</summary>
    public static bool AnythingArrived(IReadOnlyList<ItemQuantity> arrived) => arrived.Any(l => l.Quantity > 0);

    /// <summary>Lines as people read them in messages and alerts: "drinking-water 20, blanket 5".</summary>
    public static string Describe(IEnumerable<ItemQuantity> lines) => string.Join(", ", lines.Select(l => $"{l.ItemCode} {l.Quantity}"));
}
