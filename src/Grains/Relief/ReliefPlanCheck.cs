namespace HuaduDispatch.Grains.Relief;

/// <summary>
/// The last check of a plan before it is committed: what it would ask of the warehouses that they cannot do. The planner's
/// own solves are checked as they are assembled (<see cref="ReliefProblem.Assemble"/>); a plan made of several solves
/// (<see cref="LateRelief"/>) is checked here as a whole, so that a mistake in joining them shows as a failed plan (the plan
/// in force stays) and not as convoys whose loads do not fit their trucks.
/// </summary>
public static class ReliefPlanCheck
{
    /// <summary>
    /// What <paramref name="allocations"/> break, one line each: a convoy (warehouse, demand) whose rows disagree on its trucks
    /// or whose load does not fit them; a warehouse sending more trucks, or more of an item, than <paramref name="warehouses"/>
    /// say it has; an item or warehouse they do not know. Empty for a plan that can be carried out.
    /// </summary>
    public static IReadOnlyList<string> Breaches(IReadOnlyList<Allocation> allocations, IReadOnlyList<ReliefWarehouse> warehouses,
        IReadOnlyDictionary<string, ReliefItemSpec> items)
    {
        ArgumentNullException.ThrowIfNull(allocations);
        ArgumentNullException.ThrowIfNull(warehouses);
        ArgumentNullException.ThrowIfNull(items);
        var found = new List<string>();
        var byId = warehouses.ToDictionary(w => w.Id, StringComparer.Ordinal);
        foreach (var mine in allocations.GroupBy(a => a.WarehouseId, StringComparer.Ordinal))
        {
            if (!byId.TryGetValue(mine.Key, out var wh))
            {
                found.Add($"{mine.Key}: not a warehouse of this plan");
                continue;
            }
            var trucks = 0;
            foreach (var convoy in mine.GroupBy(a => a.DemandId, StringComparer.Ordinal))
            {
                var n = convoy.First().Trucks;
                trucks += n;
                if (convoy.Any(a => a.Trucks != n)) found.Add($"{wh.Id} -> {convoy.Key}: its rows give different truck counts");
                double kg = 0, m3 = 0;
                foreach (var a in convoy)
                {
                    if (!items.TryGetValue(a.ItemCode, out var spec))
                    {
                        found.Add($"{wh.Id} -> {convoy.Key}: unknown item {a.ItemCode}");
                        continue;
                    }
                    kg += a.Quantity * spec.WeightKg;
                    m3 += a.Quantity * spec.VolumeM3;
                }
                // The planner's own rule for the trucks a load needs (ReliefProblem.Trips).
                if (ReliefProblem.Trips(wh, kg, m3) > n)
                    found.Add($"{wh.Id} -> {convoy.Key}: {kg:0.#} kg / {m3:0.###} m3 on {n} truck(s) of {wh.TruckCapacityKg:0.#} kg / {wh.TruckCapacityM3:0.###} m3");
            }
            if (trucks > wh.Trucks) found.Add($"{wh.Id}: {trucks} trucks sent, {wh.Trucks} free");
            foreach (var item in mine.GroupBy(a => a.ItemCode, StringComparer.Ordinal))
                if (item.Sum(a => a.Quantity) is var sent && sent > wh.Available.GetValueOrDefault(item.Key))
                    found.Add($"{wh.Id}: {sent} {item.Key} sent, {wh.Available.GetValueOrDefault(item.Key)} available");
        }
        return found;
    }
}
