using HuaduDispatch.Contracts;

namespace HuaduDispatch.Grains.Relief;

/// <summary>What to do about each shortfall: activate agreement reserves that hold the item, and ask the city for the rest.</summary>
public static class ReliefEscalation
{
    /// <param name="agreementReserves">Enterprise agreement reserves (代储), which plans leave alone until they are activated.</param>
    public static IReadOnlyList<string> Propose(IReadOnlyList<ReliefShortfall> shortfalls, IReadOnlyList<Warehouse> agreementReserves)
    {
        var proposals = new List<string>();
        foreach (var s in shortfalls.Where(s => s.Reason != nameof(ShortfallReason.KitIncomplete)))
        {
            proposals.Add($"{s.IncidentId}: request {s.Missing} {s.ItemCode} from the city ({s.Reason})");
            var holders = agreementReserves.Where(w => w.Stock.Any(l => l.ItemCode == s.ItemCode && l.Available > 0)).Select(w => w.Id).ToList();
            if (holders.Count > 0) proposals.Add($"{s.IncidentId}: activate agreement reserve(s) {string.Join(", ", holders)} for {s.ItemCode}");
        }
        return proposals;
    }
}
