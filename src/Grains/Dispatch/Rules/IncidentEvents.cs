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
        var joined = activeTeams.Except(before.ActiveTeams ?? [], StringComparer.Ordinal).ToList();
        if (joined.Count > 0) yield return (IncidentEventKind.TeamsDispatched, TeamsJoined(joined, after));
        if (before.Status != after.Status)
        {
            yield return (IncidentEventKind.StatusChanged, $"{before.Status} -> {after.Status}");
            // Every final status ends the case for a partner: "tell me when my case is done" subscribes to IncidentClosed only.
            // Before the twenty-third session it was sent for Closed alone, and a cancelled or merged report ended without one.
            if (IncidentLifecycle.IsFinal(after.Status)) yield return (IncidentEventKind.IncidentClosed, ClosedSummary(after));
        }
    }

    /// <summary>
    /// The summary of <see cref="IncidentEventKind.TeamsDispatched"/>: the teams dispatched (<c>D01, T05 dispatched</c>) and those
    /// a merge carried over with the case (<c>D05 carried over from INC-... (merged in)</c>: they were dispatched to the merged
    /// incident, and keep the time they were assigned there). The kind stays TeamsDispatched for both, as partners subscribe to
    /// it to hear of every team that works their case; until the thirty-third session a carried team was said to be "dispatched".
    /// </summary>
    public static string TeamsJoined(IReadOnlyList<string> teams, Incident after)
    {
        // The team's assignment now: the last one the incident lists for it.
        string? CarriedFrom(string team) => after.Teams.LastOrDefault(t => t.TeamId == team)?.CarriedFrom;
        var parts = new List<string>();
        var dispatched = teams.Where(t => CarriedFrom(t) is null).ToList();
        if (dispatched.Count > 0) parts.Add($"{string.Join(", ", dispatched)} dispatched");
        foreach (var group in teams.Where(t => CarriedFrom(t) is not null).GroupBy(t => CarriedFrom(t)!, StringComparer.Ordinal))
            parts.Add($"{string.Join(", ", group)} carried over from {group.Key} (merged in)");
        return string.Join("; ", parts);
    }

    /// <summary>The summary of <see cref="IncidentEventKind.IncidentClosed"/>: how the case ended (the incident's status says it too).</summary>
    public static string ClosedSummary(Incident after) => after.Status switch
    {
        IncidentStatus.Cancelled => "incident cancelled",
        IncidentStatus.Merged => $"incident merged into {after.MergedInto}",
        _ => "incident closed",
    };
}
