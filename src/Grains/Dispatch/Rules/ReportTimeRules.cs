using HuaduDispatch.Contracts;

namespace HuaduDispatch.Grains.Dispatch.Rules;

/// <summary>
/// The times field reports carry (a status's <c>occurredAt</c>, a position's <c>at</c>, a task update's <c>occurredAt</c>).
/// A late report keeps its real time, but a radio whose clock was reset after a flat battery sends 1970 or 2000: its
/// positions used to be ignored as older than the one held, without a word, and the team froze on every screen.
/// </summary>
public static class ReportTimeRules
{
    /// <summary>A report may be this late (a radio outage, a log copied from paper days later); older is a device clock.</summary>
    public static readonly TimeSpan MaxLateness = TimeSpan.FromDays(7);

    /// <summary>How far a device clock may be ahead of the server's, or behind it around a task's issue.</summary>
    public static readonly TimeSpan ClockTolerance = TimeSpan.FromMinutes(5);

    public static void CheckTeamReport(string field, DateTimeOffset at, DateTimeOffset now) =>
        CheckWithin(field, at, now, MaxLateness, ": check the device's clock");

    /// <summary>
    /// The time a team report is stored with: checked as <see cref="CheckTeamReport"/> does, then a time ahead of the server's
    /// (by at most <see cref="ClockTolerance"/>) becomes the server's time. Before 2026-12-05 it was stored as sent, and a
    /// position stamped 4 minutes ahead made every later position look older until that time had passed.
    /// </summary>
    public static DateTimeOffset TeamReportTime(string field, DateTimeOffset? at, DateTimeOffset now)
    {
        if (at is not { } given) return now;
        CheckTeamReport(field, given, now);
        return given > now ? now : given;
    }

    /// <summary>
    /// Whether a report made at <paramref name="at"/> is older than what the team holds since <paramref name="heldSince"/>, and is
    /// ignored. A held time ahead of the server's (stored before times were clamped) counts as now.
    /// </summary>
    public static bool IsOlderThanHeld(DateTimeOffset at, DateTimeOffset heldSince, DateTimeOffset now) =>
        at < (heldSince > now ? now : heldSince);

    /// <summary>
    /// A reported time at most <see cref="ClockTolerance"/> ahead of the server and at most <paramref name="maxAge"/> behind it;
    /// otherwise a 400 naming <paramref name="field"/> (an incident's <c>occurredAt</c> has its own age, see IncidentInputRules).
    /// </summary>
    public static void CheckWithin(string field, DateTimeOffset at, DateTimeOffset now, TimeSpan maxAge, string hint = "")
    {
        CheckNotAhead(field, at, now);
        if (at < now - maxAge)
            throw DomainException.Invalid(field, $"{field} {at:O} is more than {maxAge.TotalDays:0} days ago{hint}");
    }

    /// <summary>At most <see cref="ClockTolerance"/> ahead of the server; otherwise a 400 naming <paramref name="field"/>.</summary>
    public static void CheckNotAhead(string field, DateTimeOffset at, DateTimeOffset now)
    {
        if (at > now + ClockTolerance) throw DomainException.Invalid(field, $"{field} is in the future");
    }

    /// <summary>
    /// When a task update happened, as stored on the task and in the timeline. Its <c>occurredAt</c> (now when it has none) is
    /// refused when more than <see cref="ClockTolerance"/> ahead of the server, as a team report's is, and taken as now when ahead
    /// by less. Up to <see cref="ClockTolerance"/> before the task was issued is a device clock behind the server's and counts as
    /// the issue time; earlier than that is refused, as a task cannot be acknowledged or done before it exists. A time before the
    /// task's previous event (<paramref name="previousAt"/>: acknowledged, started) counts as that event's time, so a late update
    /// never puts a task's times out of order (before 2026-12-05 a Done sent at -90 s after an Acknowledged at -10 s gave a
    /// completedAt before the acknowledgedAt, and an occurredAt an hour ahead was taken as now).
    /// </summary>
    public static DateTimeOffset TaskUpdateTime(DateTimeOffset? occurredAt, DateTimeOffset issuedAt, DateTimeOffset now, DateTimeOffset? previousAt = null)
    {
        var at = occurredAt ?? now;
        CheckNotAhead("occurredAt", at, now);
        if (at > now) at = now;
        if (at < issuedAt - ClockTolerance)
            throw DomainException.Invalid("occurredAt", $"occurredAt {at:O} is before the task was issued ({issuedAt:O}): check the device's clock");
        if (at < issuedAt) at = issuedAt;
        if (previousAt is { } previous && at < previous) at = previous;
        return at;
    }
}
