namespace HuaduDispatch.Grains.Relief;

/// <summary>
/// Which tracked demands a plan asks for their needs. Every incident that ever had relief stays tracked (the KPI reads them all),
/// but a demand past its deadline is never planned again (occurredAt + 3 h does not move), so asking it would only wake its grain.
/// </summary>
public static class ReliefCandidates
{
    public static IReadOnlyList<string> Ask(IEnumerable<string> tracked, IReadOnlyDictionary<string, DateTimeOffset> deadlines, DateTimeOffset now) =>
        [.. tracked.Where(id => !deadlines.TryGetValue(id, out var due) || due > now)];
}
