using HuaduDispatch.Contracts;

namespace HuaduDispatch.Grains.Relief;

/// <summary>
/// Mobilisation already under way. A warehouse's mobilisation time runs from its order to its trucks being ready to load, and it
/// runs once: a warehouse with a convoy still outstanding (planned, loading, on the road, or delivered with its trucks not yet
/// back) has been mobilising since that convoy's <see cref="Shipment.MobilisedSince"/>. A re-plan gives the planner only what is
/// left of it, so a convoy re-issued for a changed load keeps its departure instead of starting the clock again at every
/// re-plan (re-plans come with every change in the district, and each would push the convoys it re-issues later).
/// </summary>
public static class WarehouseMobilisation
{
    /// <summary>The earliest <see cref="Shipment.MobilisedSince"/> per warehouse among <paramref name="outstanding"/> convoys.</summary>
    public static IReadOnlyDictionary<string, DateTimeOffset> Since(IEnumerable<Shipment> outstanding)
    {
        var since = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var shipment in outstanding)
        {
            if (shipment.MobilisedSince is not { } at) continue;
            if (!since.TryGetValue(shipment.WarehouseId, out var earliest) || at < earliest) since[shipment.WarehouseId] = at;
        }
        return since;
    }

    /// <summary>
    /// The planner's warehouses with the mobilisation left at <paramref name="now"/>: the full time less what has passed since the
    /// warehouse was mobilised, never below zero, and the full time for a warehouse not mobilised.
    /// </summary>
    public static IReadOnlyList<ReliefWarehouse> Remaining(IEnumerable<ReliefWarehouse> warehouses,
        IReadOnlyDictionary<string, DateTimeOffset> since, DateTimeOffset now) =>
        [.. warehouses.Select(w =>
        {
            if (!since.TryGetValue(w.Id, out var at)) return w;
            var passed = now - at;
            if (passed <= TimeSpan.Zero) return w;
            return w with { Mobilisation = passed >= w.Mobilisation ? TimeSpan.Zero : w.Mobilisation - passed };
        })];
}
