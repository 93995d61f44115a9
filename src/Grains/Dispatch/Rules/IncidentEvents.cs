using HuaduDispatch.Contracts;

namespace HuaduDispatch.Grains.Dispatch.Rules;

/// <summary>Which partner-facing events a change of an incident makes, from what it was before the change and after it.</summary>
public static class IncidentEvents
{
    public readonly record struct Before(bool Created, IncidentStatus Status, ResponseLevel Level, IReadOnlyList<string> ActiveTeams);

    public static IEnumerable<(IncidentEventKind Kind, string Summary)> Derive(Before before, Incident after, IReadOnlyList<string> activeTeams)
    {
        if (!before.Created)
        {
            yield return (IncidentEventKind.IncidentCreated, $"{after.Type} reported by {after.Source}: {after.Title} (level {after.ResponseLevel})");
            before = before with { Status = after.Status, Level = after.ResponseLevel };
        }
        if (before.Level != after.ResponseLevel)
            yield return (IncidentEventKind.LevelChanged, $"{before.Level} -> {after.ResponseLevel}: {after.LevelReason}");
        var dispatched = activeTeams.Except(before.ActiveTeams ?? [], StringComparer.Ordinal).ToList();
        if (dispatched.Count > 0)
            yield return (IncidentEventKind.TeamsDispatched, $"{string.Join(", ", dispatched)} dispatched");
        if (before.Status != after.Status)
        {
            yield return (IncidentEventKind.StatusChanged, $"{before.Status} -> {after.Status}");
            // Every final status ends the case for a partner: "tell me when my case is done" subscribes to IncidentClosed only.
            // Before the twenty-third session it was sent for Closed alone, and a cancelled or merged report ended without one.
            if (IncidentLifecycle.IsFinal(after.Status)) yield return (IncidentEventKind.IncidentClosed, ClosedSummary(after));
        }
    }

    /// <summary>The summary of <see cref="IncidentEventKind.IncidentClosed"/>: how the case ended (the incident's status says it too).</summary>
    public static string ClosedSummary(Incident after) => after.Status switch
    {
        IncidentStatus.Cancelled => "incident cancelled",
        IncidentStatus.Merged => $"incident merged into {after.MergedInto}",
        _ => "incident closed",
    };
}
