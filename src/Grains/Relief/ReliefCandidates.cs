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

/// <summary>
/// Which tracked demands a report since a moment reads (<c>?since=</c> on the KPI and alert feed): those whose deadline is at or
/// after it, and those whose deadline the coordinator has not seen yet (never asked by a plan). So months of past incidents are
/// not all woken up for a report about this week.
/// </summary>
public static class ReliefWindow
{
    public static IReadOnlyList<string> Since(IEnumerable<string> tracked, IReadOnlyDictionary<string, DateTimeOffset> deadlines, DateTimeOffset since) =>
        [.. tracked.Where(id => !deadlines.TryGetValue(id, out var due) || due >= since)];
}
