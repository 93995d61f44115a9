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
            if (after.Status == IncidentStatus.Closed) yield return (IncidentEventKind.IncidentClosed, "incident closed");
        }
    }
}
