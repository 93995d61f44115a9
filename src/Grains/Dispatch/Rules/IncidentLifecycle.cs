using HuaduDispatch.Contracts;

namespace HuaduDispatch.Grains.Dispatch.Rules;

/// <summary>
/// Reported -> Verified -> Responding -> Contained -> Recovery -> Closed, plus Cancelled and Merged.
/// A report may go straight to Responding (teams are often sent before verification); a contained incident that flares up
/// goes back to Responding. Closed, Cancelled and Merged are final.
/// </summary>
public static class IncidentLifecycle
{
    private static readonly Dictionary<IncidentStatus, IncidentStatus[]> Allowed = new()
    {
        [IncidentStatus.Reported] = [IncidentStatus.Verified, IncidentStatus.Responding, IncidentStatus.Cancelled, IncidentStatus.Merged],
        [IncidentStatus.Verified] = [IncidentStatus.Responding, IncidentStatus.Cancelled, IncidentStatus.Merged],
        [IncidentStatus.Responding] = [IncidentStatus.Contained, IncidentStatus.Merged],
        [IncidentStatus.Contained] = [IncidentStatus.Recovery, IncidentStatus.Responding],
        [IncidentStatus.Recovery] = [IncidentStatus.Closed],
        [IncidentStatus.Closed] = [],
        [IncidentStatus.Cancelled] = [],
        [IncidentStatus.Merged] = [],
    };

    public static bool IsFinal(IncidentStatus s) => s is IncidentStatus.Closed or IncidentStatus.Cancelled or IncidentStatus.Merged;

    /// <summary>Teams may be sent while the incident is open and not yet in recovery.</summary>
    public static bool AcceptsDispatch(IncidentStatus s) =>
        s is IncidentStatus.Reported or IncidentStatus.Verified or IncidentStatus.Responding or IncidentStatus.Contained;

    /// <summary>Null when allowed; otherwise the reason it is not.</summary>
    public static string? Check(IncidentStatus from, IncidentStatus to)
    {
        if (from == to) return $"the incident is already {to}";
        if (Allowed[from].Contains(to)) return null;
        if (IsFinal(from)) return $"the incident is {from}; nothing follows {from}";
        return $"{from} cannot go to {to}; from {from} the next status is one of: {string.Join(", ", Allowed[from])}";
    }
}
