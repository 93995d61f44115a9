namespace HuaduDispatch.Grains.Relief;

/// <summary>
/// Where an incident's relocated people have shelter places (安置点), kept stable across re-assessments: people already housed
/// stay where they are. When the relocated figure goes down, people are taken off the farthest shelters first; when it goes
/// up, the extra people are placed nearest-first in shelters with room. A shelter takes what it can (<c>admit</c> sets the
/// incident's total there and answers what it took), so a shelter that shrank or closed under its people loses them, and
/// they are placed with the extra people.
/// </summary>
public static class ShelterPlacements
{
    /// <summary>
    /// The placements for <paramref name="relocated"/> people, from <paramref name="current"/> (shelter id → people there).
    /// <paramref name="nearestFirst"/> lists the shelters that may take people, nearest to the incident first; a current
    /// shelter missing from it (no longer in the reference data) counts as the farthest. <paramref name="admit"/> asks a shelter
    /// to hold that many of the incident's people and answers how many it holds. Returns the new placements (no zero entries)
    /// and how many people found no place.
    /// </summary>
    public static async Task<(Dictionary<string, int> Placed, int Unplaced)> Place(
        IReadOnlyDictionary<string, int> current, int relocated, IReadOnlyList<string> nearestFirst, Func<string, int, Task<int>> admit)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(nearestFirst);
        ArgumentNullException.ThrowIfNull(admit);
        relocated = Math.Max(0, relocated);
        var rank = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < nearestFirst.Count; i++) rank.TryAdd(nearestFirst[i], i);
        var placed = current.Where(kv => kv.Value > 0).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);

        // Fewer people: take them off the farthest shelters first (those no longer listed before any listed one).
        var excess = placed.Values.Sum() - relocated;
        foreach (var id in FarthestFirst(placed.Keys, rank))
        {
            if (excess <= 0) break;
            var keep = placed[id] - Math.Min(excess, placed[id]);
            var held = await admit(id, keep);
            excess -= placed[id] - held;
            Set(placed, id, held);
        }

        // More people: the extra ones go nearest-first where there is room; the people already housed stay.
        var remaining = relocated - placed.Values.Sum();
        foreach (var id in nearestFirst)
        {
            if (remaining <= 0) break;
            var before = placed.GetValueOrDefault(id);
            var held = await admit(id, before + remaining);
            remaining -= held - before;
            Set(placed, id, held);
        }
        return (placed, Math.Max(0, remaining));
    }

    private static IEnumerable<string> FarthestFirst(IEnumerable<string> ids, IReadOnlyDictionary<string, int> rank) =>
        ids.OrderByDescending(id => rank.TryGetValue(id, out var r) ? r : int.MaxValue).ThenBy(id => id, StringComparer.Ordinal).ToList();

    private static void Set(Dictionary<string, int> placed, string id, int held)
    {
        if (held > 0) placed[id] = held;
        else placed.Remove(id);
    }

    /// <summary>
    /// The people a placement sent to shelters farther than <paramref name="farKm"/> (from <paramref name="before"/> to
    /// <paramref name="after"/>; <paramref name="km"/> gives each shelter's distance from the incident), nearest first, as
    /// (shelter id, people added there, km). People already there before are not counted again.
    /// </summary>
    public static List<(string ShelterId, int Added, double Km)> SentFarther(IReadOnlyDictionary<string, int> before,
        IReadOnlyDictionary<string, int> after, IReadOnlyDictionary<string, double> km, double farKm)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        ArgumentNullException.ThrowIfNull(km);
        return [.. after.Select(kv => (ShelterId: kv.Key, Added: kv.Value - before.GetValueOrDefault(kv.Key), Km: km.GetValueOrDefault(kv.Key)))
            .Where(f => f.Added > 0 && f.Km > farKm).OrderBy(f => f.Km).ThenBy(f => f.ShelterId, StringComparer.Ordinal)];
    }
}
