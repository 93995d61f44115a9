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
        // Cancelled from Responding: a false alarm found by the team sent to it (teams are often sent before verification).
        [IncidentStatus.Responding] = [IncidentStatus.Contained, IncidentStatus.Cancelled, IncidentStatus.Merged],
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

    /// <summary>
    /// <c>mergedInto</c> belongs to a merge only: on any other transition it is a 400 naming the field (before 2026-12-05 it was
    /// ignored without a word, and the caller believed the incident merged).
    /// </summary>
    public static void CheckMergedInto(IncidentStatus to, string? mergedInto)
    {
        if (to != IncidentStatus.Merged && !string.IsNullOrWhiteSpace(mergedInto))
            throw DomainException.Invalid("mergedInto", $"mergedInto is only for a transition to Merged, not to {to}");
    }

    /// <summary>Null when allowed; otherwise the reason it is not.</summary>
    public static string? Check(IncidentStatus from, IncidentStatus to)
    {
        if (from == to) return $"the incident is already {to}";
        if (Allowed[from].Contains(to)) return null;
        if (IsFinal(from)) return $"the incident is {from}; nothing follows {from}";
        return $"{from} cannot go to {to}; from {from} the next status is one of: {string.Join(", ", Allowed[from])}";
    }
}
