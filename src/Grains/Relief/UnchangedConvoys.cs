using HuaduDispatch.Contracts;

namespace HuaduDispatch.Grains.Relief;

/// <summary>
/// Which convoys of the plan in force a new plan leaves as they are. A re-plan used to cancel every convoy still
/// <c>Planned</c> and create the new plan's convoys under new ids, even where the new plan sends exactly the same: each small
/// change anywhere in the district (a stock movement, an assessment) then withdrew and re-issued the orders of every warehouse.
/// A convoy is kept, with its id and reservation, when the new plan sends the same lines on the same number of trucks
/// from the same warehouse to the same incident, at its times or less than <see cref="TimesTolerance"/> later, and its
/// departure is still ahead. A convoy the new plan changes on the same route, in its load or its times, is amended in place
/// (<see cref="Amendable"/>): so one whose departure has passed while it is still <c>Planned</c>, or whose warehouse has been
/// ready for a while without loading it, gets the times the plan computes now.
/// </summary>
public static class UnchangedConvoys
{
    /// <summary>
    /// How much later than it shows a kept convoy may now be able to leave before it is amended to the new times. Re-plans come
    /// with every change in the district, up to several a second in a surge; amending each waiting convoy at each of them would
    /// cost three writes and a delta per convoy per re-plan, for times that move by seconds.
    /// </summary>
    public static readonly TimeSpan TimesTolerance = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The convoys of <paramref name="replaced"/> (the plan in force's <c>Planned</c> ones) that the new plan's
    /// <paramref name="allocations"/> leave as they are at <paramref name="now"/>, by (warehouse, incident).
    /// </summary>
    public static Dictionary<(string WarehouseId, string IncidentId), Shipment> Find(IEnumerable<Shipment> replaced,
        IEnumerable<Allocation> allocations, DateTimeOffset now)
    {
        var planned = Routes(allocations);
        var kept = new Dictionary<(string WarehouseId, string IncidentId), Shipment>();
        foreach (var old in replaced)
        {
            var key = (old.WarehouseId, old.IncidentId);
            if (old.Status != ShipmentStatus.Planned || old.Departure <= now || kept.ContainsKey(key)) continue;
            if (!planned.TryGetValue(key, out var load) || load.Trucks != old.Trucks) continue;
            // Its times as the plan computes them now: a warehouse still mobilising gives the same departure (it counts from the
            // first order); one ready but not yet loading gives a later one, which the convoy takes (amended) once it is
            // TimesTolerance later, so that re-plans a second apart do not amend every waiting convoy each time.
            var later = load.Departure - old.Departure;
            if (later < TimeSpan.Zero || later >= TimesTolerance || load.Eta - old.Eta != later) continue;
            var lines = Totals(old.Lines.Select(l => (l.ItemCode, l.Quantity)));
            if (lines.Count == load.Lines.Count && lines.All(l => load.Lines.TryGetValue(l.Key, out var q) && q == l.Value)) kept[key] = old;
        }
        return kept;
    }

    /// <summary>
    /// The convoys of <paramref name="replaced"/> that the new plan changes but still sends on the same route (warehouse,
    /// incident), by route: they are amended in place, keeping their ids, instead of cancelled and issued again. One per route;
    /// routes already <paramref name="kept"/> have none. Those that give stock back and take none come first, so that their
    /// stock is free before the others and the new convoys ask for it.
    /// </summary>
    public static IReadOnlyList<Shipment> Amendable(IEnumerable<Shipment> replaced, IEnumerable<Allocation> allocations,
        IReadOnlyDictionary<(string WarehouseId, string IncidentId), Shipment> kept)
    {
        var planned = Routes(allocations);
        var amendable = new Dictionary<(string WarehouseId, string IncidentId), (Shipment Old, bool Shrinks)>();
        foreach (var old in replaced)
        {
            var key = (old.WarehouseId, old.IncidentId);
            if (old.Status != ShipmentStatus.Planned || kept.ContainsKey(key) || amendable.ContainsKey(key)) continue;
            if (!planned.TryGetValue(key, out var load)) continue;
            var before = Totals(old.Lines.Select(l => (l.ItemCode, l.Quantity)));
            amendable[key] = (old, load.Lines.All(l => l.Value <= before.GetValueOrDefault(l.Key)));
        }
        return [.. amendable.Values.OrderBy(a => a.Shrinks ? 0 : 1).Select(a => a.Old)];
    }

    /// <summary>The new plan's convoys by route: trucks, times and the total of each item.</summary>
    private static Dictionary<(string WarehouseId, string IncidentId), (int Trucks, DateTimeOffset Departure, DateTimeOffset Eta, Dictionary<string, long> Lines)>
        Routes(IEnumerable<Allocation> allocations) =>
        allocations.GroupBy(a => (a.WarehouseId, IncidentId: a.DemandId))
            .ToDictionary(g => g.Key, g => (g.First().Trucks, g.First().Departure, g.Max(a => a.Eta), Totals(g.Select(a => (a.ItemCode, a.Quantity)))));

    private static Dictionary<string, long> Totals(IEnumerable<(string Item, long Quantity)> lines)
    {
        var totals = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (item, quantity) in lines)
            if (quantity != 0) totals[item] = totals.GetValueOrDefault(item) + quantity;
        return totals;
    }
}
