using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Dispatch.Rules;
using Microsoft.Extensions.Logging;

namespace HuaduDispatch.Grains.Dispatch;

/// <summary>
/// The report upward (向上级报告) an incident owes (<see cref="ReportUpwardRules"/>): recorded as made by
/// <see cref="ReportUpward"/>, and watched by a durable reminder due at the owed report's due time, which records a
/// ReportOverdue entry once per owed report. A closed, cancelled or merged incident owes none, and its reminder is removed.
/// </summary>
public sealed partial class IncidentGrain
{
    private const string ReportUpwardReminder = "report-upward";

    /// <summary>The report upward owed now, or null (recorded as made since the last escalation, or the incident is final).</summary>
    private ReportUpwardRules.Owed? ReportOwed =>
        S.Created && !S.ReportSettled && !IncidentLifecycle.IsFinal(S.Status)
            ? new ReportUpwardRules.Owed(S.ReportDeadline, S.ReportTier ?? levels.RulesFor(S.Level).LeadingTier)
            : null;

    /// <summary>Whether the reminder must watch an owed report (not yet raised as overdue), and its due time.</summary>
    private DateTimeOffset? ReportWatchDue => ReportOwed is { } owed && S.ReportOverdueFor != owed.DueBy ? owed.DueBy : null;

    public Task<Incident> ReportUpward(UpwardReportRequest request, Actor actor) => Mutate(async () =>
    {
        EnsureExists();
        await EnsureOpen();
        var (to, reference, note) = ReportUpwardRules.Check(request, levels.RulesFor(S.Level).LeadingTier);
        var now = clock.GetUtcNow();
        Record(actor, "ReportedUpward", ReportUpwardRules.ReportedSummary(to, reference, note, ReportOwed, now));
        S.LastReport = new UpwardReportMade { At = now, By = actor.Subject, To = to, Reference = reference };
        // A report to a less senior tier than the one owed (the bureau told, the City not yet) leaves that one owed (a verifier's M2).
        if (ReportUpwardRules.Settles(ReportOwed, to)) S.ReportSettled = true;
        return await Save(actor);
    });

    private UpwardReportStatus ReportUpwardView(LeadingTier leadingNow)
    {
        var owed = ReportOwed;
        return new UpwardReportStatus
        {
            Owed = owed is not null,
            DueBy = S.ReportDeadline,
            Tier = owed?.Tier ?? S.ReportTier ?? leadingNow,
            Overdue = owed is { } o && S.ReportOverdueFor == o.DueBy,
            ReportedAt = S.LastReport?.At,
            ReportedBy = S.LastReport?.By,
            ReportedTo = S.LastReport?.To,
            Reference = S.LastReport?.Reference,
        };
    }

    /// <summary>
    /// Before a change's write: an owed report not yet watched at its due time gets the reminder (due then, then every minute
    /// until it is raised), so a stored owed report is always watched. A change whose write then fails leaves a reminder that
    /// finds nothing to raise and removes itself.
    /// </summary>
    private async Task KeepReportWatch()
    {
        if (ReportWatchDue is not { } due || S.ReportWatch == due) return;
        var wait = due - clock.GetUtcNow();
        await this.RegisterOrUpdateReminder(ReportUpwardReminder, wait > TimeSpan.FromSeconds(1) ? wait : TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        S.ReportWatch = due;
    }

    /// <summary>After a change's write: with nothing left to watch (reported, raised, or the incident final) the reminder is removed.</summary>
    private async Task DropReportWatch()
    {
        if (ReportWatchDue is not null || S.ReportWatch is null) return;
        try
        {
            if (await this.GetReminder(ReportUpwardReminder) is { } reminder) await this.UnregisterReminder(reminder);
            S.ReportWatch = null; // stored with the next change; until then a tick finds nothing and removes the reminder itself
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Incident {IncidentId}: the report-upward reminder could not be removed; its next tick removes it", Key);
        }
    }

    /// <summary>
    /// The reminder's tick: an owed report past its due time is recorded as overdue (ReportOverdue, once per owed report) and
    /// the reminder removed; a tick before the due time (a due time moved earlier, then later by a new report owed) waits for it.
    /// </summary>
    private Task CheckReportUpward() => Mutate(async () =>
    {
        var now = clock.GetUtcNow();
        if (ReportOwed is { } owed && ReportUpwardRules.IsOverdue(owed, S.ReportOverdueFor, now))
        {
            S.ReportOverdueFor = owed.DueBy;
            Record(Actor.System, "ReportOverdue", ReportUpwardRules.OverdueSummary(owed));
            await Save(Actor.System); // DropReportWatch removes the reminder
            return true;
        }
        if (ReportWatchDue is not null)
        {
            S.ReportWatch = null;
            await KeepReportWatch();
            await state.WriteStateAsync();
            return false;
        }
        if (await this.GetReminder(ReportUpwardReminder) is { } reminder) await this.UnregisterReminder(reminder);
        S.ReportWatch = null;
        return false;
    });
}
