namespace HuaduDispatch.Grains.Relief;

/// <summary>
/// Which tracked demands to read. A demand's deadline (occurredAt + 3 h) does not move, so the deadlines the coordinator has
/// seen rule demands out once their late relief's window has passed too; one whose deadline it has not seen yet is always read. (Incidents long past their deadline leave the
/// tracked set for the archive: <see cref="ReliefArchive"/>.)
/// </summary>
public static class ReliefCandidates
{
    /// <summary>
    /// The demands a plan asks for their needs: those not past their deadline by <paramref name="lateFor"/> or more (the late
    /// relief's window, <see cref="LateRelief"/>); one past that is never planned again.
    /// </summary>
    /// <param name="lateUntil">The end of each demand's late relief as the demand fixed it when it was created (since
    /// 2026-12-05); a demand whose end is known here is asked until then, whatever the window is now.</param>
    public static IReadOnlyList<string> Ask(IEnumerable<string> tracked, IReadOnlyDictionary<string, DateTimeOffset> deadlines, DateTimeOffset now,
        TimeSpan lateFor, IReadOnlyDictionary<string, DateTimeOffset>? lateUntil = null) =>
        [.. tracked.Where(id => !deadlines.TryGetValue(id, out var due)
            || (lateUntil is not null && lateUntil.TryGetValue(id, out var until) ? (until > due ? until : due)
                : due + (lateFor > TimeSpan.Zero ? lateFor : TimeSpan.Zero)) > now)];

    /// <summary>
    /// The demands a report since a moment reads (<c>?since=</c> on the KPI): those due at or after it, so months of past
    /// incidents are not all woken up for a report about this week.
    /// </summary>
    public static IReadOnlyList<string> DueSince(IEnumerable<string> tracked, IReadOnlyDictionary<string, DateTimeOffset> deadlines, DateTimeOffset since) =>
        Where(tracked, deadlines, due => due >= since);

    private static IReadOnlyList<string> Where(IEnumerable<string> tracked, IReadOnlyDictionary<string, DateTimeOffset> deadlines, Func<DateTimeOffset, bool> keep) =>
        [.. tracked.Where(id => !deadlines.TryGetValue(id, out var due) || keep(due))];
}
