using HuaduDispatch.Contracts;

namespace HuaduDispatch.Grains.Relief;

/// <summary>
/// What a re-plan does with each convoy the coordinator created before (found by id, with the warehouse it was reserved at):
/// <list type="bullet">
/// <item><see cref="Sorted.Orphaned"/>: no shipment exists, because a commit stopped between reserving and creating it; its
/// reservation is given back.</item>
/// <item><see cref="Sorted.Replaced"/>: still Planned; the new plan replaces it (its stock counts as free for the solve).</item>
/// <item><see cref="Sorted.Holding"/>: loading, on the road, or delivered and its trucks not yet back (<see cref="FleetInUse"/>).</item>
/// <item><see cref="Sorted.Finished"/>: nothing more to do with it; the coordinator forgets it.</item>
/// </list>
/// </summary>
public static class EarlierConvoys
{
    public sealed record Sorted(
        IReadOnlyList<(string Id, string WarehouseId)> Orphaned,
        IReadOnlyList<Shipment> Replaced,
        IReadOnlyList<Shipment> Holding,
        IReadOnlyList<string> Finished);

    public static Sorted Sort(IEnumerable<(string Id, string WarehouseId, Shipment? Shipment)> known, DateTimeOffset now)
    {
        var orphaned = new List<(string, string)>();
        var replaced = new List<Shipment>();
        var holding = new List<Shipment>();
        var finished = new List<string>();
        foreach (var (id, warehouseId, shipment) in known)
        {
            if (shipment is null) orphaned.Add((id, warehouseId));
            else if (shipment.Status == ShipmentStatus.Planned) replaced.Add(shipment);
            else if (FleetInUse.Holds(shipment, now)) holding.Add(shipment);
            else finished.Add(id);
        }
        return new Sorted(orphaned, replaced, holding, finished);
    }
}
