using HuaduDispatch.Contracts;

namespace HuaduDispatch.Grains.Dispatch.Rules;

/// <summary>Issued -> Acknowledged -> InProgress -> Done | Failed | Cancelled. A team may start without acknowledging first.</summary>
public static class TaskRules
{
    /// <summary>
    /// A team's Done or Failed for a task that was cancelled (by a release or the incident's close: a radio outage, a report typed
    /// up on the way back) is kept as a late report: the entry for the timeline (<c>Late</c>), and the task's note with it after
    /// the cancellation's own reason (<c>Note</c>, null for a retry of a report already kept). Null when the update is no such
    /// report. Until the twenty-ninth session it was a 409 and left no trace.
    /// </summary>
    public static (string Late, string? Note)? LateOutcome(DispatchTask task, DispatchTaskStatus to, string? said)
    {
        if (task.Status != DispatchTaskStatus.Cancelled || to is not (DispatchTaskStatus.Done or DispatchTaskStatus.Failed)) return null;
        var late = $"reported {to} after the task was cancelled" + (said is { Length: > 0 } ? $": {said}" : "");
        if (task.Note is { } held && held.EndsWith(late, StringComparison.Ordinal)) return (late, null);
        return (late, task.Note is { Length: > 0 } cancelledFor ? $"{cancelledFor}; {late}" : late);
    }

    public static bool IsOpen(DispatchTaskStatus s) => s is DispatchTaskStatus.Issued or DispatchTaskStatus.Acknowledged or DispatchTaskStatus.InProgress;

    public static string? Check(DispatchTaskStatus from, DispatchTaskStatus to)
    {
        if (from == to) return null; // repeat: no change
        if (!IsOpen(from)) return $"the task is {from}; nothing follows {from}";
        return (from, to) switch
        {
            (DispatchTaskStatus.Issued, DispatchTaskStatus.Acknowledged) => null,
            (DispatchTaskStatus.Issued or DispatchTaskStatus.Acknowledged, DispatchTaskStatus.InProgress) => null,
            (DispatchTaskStatus.InProgress, DispatchTaskStatus.Done or DispatchTaskStatus.Failed) => null,
            (_, DispatchTaskStatus.Cancelled) => null,
            (_, DispatchTaskStatus.Done or DispatchTaskStatus.Failed) => $"a task must be InProgress before it is {to}",
            _ => $"{from} cannot go to {to}",
        };
    }

    /// <summary>The time of the task's latest event (issued, acknowledged, started): a later event is not stored as earlier.</summary>
    public static DateTimeOffset LastEventAt(DispatchTask task)
    {
        var at = task.IssuedAt;
        if (task.AcknowledgedAt is { } acknowledged && acknowledged > at) at = acknowledged;
        if (task.StartedAt is { } started && started > at) at = started;
        return at;
    }

    /// <summary>Only the district centre (dispatcher, commander, admin) may cancel; teams move their own tasks.</summary>
    public static bool MayCancel(Actor actor) => actor.Role is Roles.Dispatcher or Roles.Commander or Roles.Admin;
}

/// <summary>Finds tasks that need an alert: not acknowledged in time, or past their due time while still open.</summary>
public static class TaskWatch
{
    public const string Unacknowledged = "Unacknowledged";
    public const string Overdue = "Overdue";

    /// <summary>
    /// The alerts due now. <paramref name="working"/>: for teams whose status shows them working this incident (see
    /// <see cref="ShowsWorking"/>), when they took that status; a task issued no later than that is not Unacknowledged, as the
    /// crew answered after it went out (its own status stays Issued until the crew moves it). Until the thirty-first session
    /// crews that reported EnRoute and OnScene after their dispatch got Unacknowledged alerts (the typhoon-night tester's F8).
    /// </summary>
    public static IEnumerable<(string TaskId, string Alert)> Due(IEnumerable<DispatchTask> tasks, DateTimeOffset now, TimeSpan ackTimeout,
        IReadOnlyDictionary<string, DateTimeOffset>? working = null)
    {
        foreach (var t in tasks)
        {
            if (!TaskRules.IsOpen(t.Status)) continue;
            if (AwaitsAcknowledgement(t, now, ackTimeout) && !(working is not null && working.TryGetValue(t.TeamId, out var since) && since >= t.IssuedAt))
                yield return (t.Id, Unacknowledged);
            if (now >= t.DueAt && !t.Alerts.Contains(Overdue))
                yield return (t.Id, Overdue);
        }
    }

    /// <summary>An Issued task past the acknowledgement timeout, not yet flagged: Unacknowledged unless its team is working (<see cref="Due"/>).</summary>
    public static bool AwaitsAcknowledgement(DispatchTask t, DateTimeOffset now, TimeSpan ackTimeout) =>
        t.Status == DispatchTaskStatus.Issued && now - t.IssuedAt >= ackTimeout && !t.Alerts.Contains(Unacknowledged);

    /// <summary>
    /// A status a crew reports while working its incident: EnRoute, OnScene, Returning (the steps of a response a team reports
    /// itself; Assigned is set by the dispatch, and the others are reported without an assignment).
    /// </summary>
    public static bool ShowsWorking(TeamStatus s) => s is TeamStatus.EnRoute or TeamStatus.OnScene or TeamStatus.Returning;

    public static bool NeedsWatching(IEnumerable<DispatchTask> tasks) =>
        tasks.Any(t => TaskRules.IsOpen(t.Status) && (t.Alerts.Count < 2));
}
