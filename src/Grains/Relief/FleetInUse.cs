using HuaduDispatch.Contracts;

namespace HuaduDispatch.Grains.Relief;

/// <summary>
/// Trucks a new plan may not count on: those of shipments being loaded or on the road, and those of delivered shipments until
/// they are back (delivered + the drive out again, i.e. ETA − departure). The planner gives each truck one trip; without this, a
/// re-plan after a convoy left would send the same trucks out a second time.
/// </summary>
public static class FleetInUse
{
    /// <summary>Whether <paramref name="shipment"/> still holds its trucks at <paramref name="now"/>.</summary>
    public static bool Holds(Shipment shipment, DateTimeOffset now) => shipment.Status switch
    {
        ShipmentStatus.Loading or ShipmentStatus.Departed => true,
        ShipmentStatus.Delivered => BackAt(shipment) > now,
        _ => false,
    };

    /// <summary>When a delivered shipment's trucks are back at the warehouse.</summary>
    public static DateTimeOffset BackAt(Shipment shipment) => (shipment.DeliveredAt ?? shipment.UpdatedAt) + Drive(shipment);

    /// <summary>The drive out (never negative): ETA less departure (both move to the actual times once the convoy has left).</summary>
    public static TimeSpan Drive(Shipment shipment)
    {
        var drive = shipment.Eta - shipment.Departure;
        return drive > TimeSpan.Zero ? drive : TimeSpan.Zero;
    }

    /// <summary>When the first of the delivered convoys' trucks are back, if any are still out at <paramref name="now"/>.</summary>
    public static DateTimeOffset? NextReturn(IEnumerable<Shipment> shipments, DateTimeOffset now) =>
        shipments.Where(s => s.Status == ShipmentStatus.Delivered).Select(BackAt).Where(t => t > now)
            .Select(t => (DateTimeOffset?)t).Min();

    /// <summary>Trucks held per warehouse, for the warehouses that have any.</summary>
    public static IReadOnlyDictionary<string, int> ByWarehouse(IEnumerable<Shipment> shipments, DateTimeOffset now) =>
        shipments.Where(s => Holds(s, now)).GroupBy(s => s.WarehouseId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Sum(s => s.Trucks), StringComparer.Ordinal);

    /// <summary>The planner's warehouses with the trucks held taken off their fleet (never below zero).</summary>
    public static IReadOnlyList<ReliefWarehouse> Subtract(IEnumerable<ReliefWarehouse> warehouses, IReadOnlyDictionary<string, int> held) =>
        [.. warehouses.Select(w => held.TryGetValue(w.Id, out var busy) && busy > 0 ? w with { Trucks = Math.Max(0, w.Trucks - busy) } : w)];
}
