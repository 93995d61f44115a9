using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Warehouses;

namespace HuaduDispatch.Grains.Relief;

/// <summary>
/// Which warehouses a relief plan may draw on. Enterprise agreement reserves (代储) hold stock for the government but must be
/// activated first (POST /api/v1/warehouses/{id}/activation): until then plans leave them out and escalation proposes them;
/// once activated they are planned like any warehouse, with their own (longer) mobilisation time.
/// </summary>
public static class ReliefWarehouseSelection
{
    /// <param name="Planned">The planner's input: every plannable warehouse with its available stock.</param>
    /// <param name="ProposableReserves">Agreement reserves that are not active, for escalation to propose.</param>
    public sealed record Selection(IReadOnlyList<ReliefWarehouse> Planned, IReadOnlyList<Warehouse> ProposableReserves);

    public static Selection Select(IEnumerable<Warehouse> warehouses)
    {
        var all = warehouses.ToList();
        var planned = all.Where(ReserveActivationRule.Plannable).Select(ToPlanner).ToList();
        var proposable = all.Where(w => !ReserveActivationRule.Plannable(w)).ToList();
        return new Selection(planned, proposable);
    }

    /// <summary>
    /// The planner's warehouses with the stock of <paramref name="released"/> shipments added back: a re-plan replaces those
    /// Planned convoys and cancels them (freeing their reservations) only once it is solved.
    /// </summary>
    public static IReadOnlyList<ReliefWarehouse> WithReleased(IReadOnlyList<ReliefWarehouse> warehouses, IEnumerable<Shipment> released)
    {
        var back = released.GroupBy(s => s.WarehouseId, StringComparer.Ordinal).ToDictionary(g => g.Key,
            g => g.SelectMany(s => s.Lines).GroupBy(l => l.ItemCode, StringComparer.Ordinal).ToDictionary(l => l.Key, l => l.Sum(x => x.Quantity), StringComparer.Ordinal),
            StringComparer.Ordinal);
        return [.. warehouses.Select(w =>
        {
            if (!back.TryGetValue(w.Id, out var lines)) return w;
            var available = new Dictionary<string, long>(w.Available, StringComparer.Ordinal);
            foreach (var (item, quantity) in lines) available[item] = available.GetValueOrDefault(item) + quantity;
            return w with { Available = available };
        })];
    }

    public static ReliefWarehouse ToPlanner(Warehouse w) =>
        new(w.Id, w.Position, TimeSpan.FromMinutes(w.MobilisationMinutes), w.Fleet.Trucks, w.Fleet.CapacityKg, w.Fleet.CapacityM3,
            w.Stock.Where(s => s.Available > 0).ToDictionary(s => s.ItemCode, s => s.Available, StringComparer.Ordinal));
}
