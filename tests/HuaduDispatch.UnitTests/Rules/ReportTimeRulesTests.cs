using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Dispatch.Rules;

namespace HuaduDispatch.UnitTests.Rules;

public sealed class ReportTimeRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 9, 0, 0, TimeSpan.FromHours(8));

    [Fact]
    public void A_team_report_up_to_seven_days_late_is_taken_and_a_reset_clock_is_refused_naming_the_field()
    {
        ReportTimeRules.CheckTeamReport("at", Now, Now);
        ReportTimeRules.CheckTeamReport("at", Now.AddMinutes(5), Now);
        ReportTimeRules.CheckTeamReport("at", Now.AddDays(-7), Now); // a log copied from paper a week later
        foreach (var at in new[] { DateTimeOffset.UnixEpoch, new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero), Now.AddDays(-7).AddSeconds(-1), Now.AddMinutes(5).AddSeconds(1) })
        {
            var e = Assert.Throws<DomainException>(() => ReportTimeRules.CheckTeamReport("occurredAt", at, Now));
            Assert.Equal("occurredAt", e.Field);
        }
        Assert.Contains("clock", Assert.Throws<DomainException>(() => ReportTimeRules.CheckTeamReport("at", DateTimeOffset.UnixEpoch, Now)).Reason);
    }

    [Fact]
    public void A_task_update_keeps_its_time_from_the_issue_on_and_a_clock_a_little_behind_counts_as_the_issue_time()
    {
        var issued = Now.AddMinutes(-30);
        Assert.Equal(Now, ReportTimeRules.TaskUpdateTime(null, issued, Now));
        Assert.Equal(Now, ReportTimeRules.TaskUpdateTime(Now.AddMinutes(5), issued, Now)); // a little ahead of the server: now
        // More than 5 minutes ahead is refused as a team report's time is (until 2026-12-05 it was taken as now).
        var ahead = Assert.Throws<DomainException>(() => ReportTimeRules.TaskUpdateTime(Now.AddMinutes(6), issued, Now));
        Assert.Equal(("occurredAt", "occurredAt is in the future"), (ahead.Field, ahead.Reason));
        Assert.Throws<DomainException>(() => ReportTimeRules.TaskUpdateTime(Now.AddHours(1), issued, Now));
        Assert.Equal(Now.AddMinutes(-10), ReportTimeRules.TaskUpdateTime(Now.AddMinutes(-10), issued, Now));
        Assert.Equal(issued, ReportTimeRules.TaskUpdateTime(issued, issued, Now));
        Assert.Equal(issued, ReportTimeRules.TaskUpdateTime(issued.AddMinutes(-4), issued, Now));
        var e = Assert.Throws<DomainException>(() => ReportTimeRules.TaskUpdateTime(issued.AddMinutes(-6), issued, Now));
        Assert.Equal("occurredAt", e.Field);
        Assert.Throws<DomainException>(() => ReportTimeRules.TaskUpdateTime(DateTimeOffset.MinValue, issued, Now));
    }

    [Fact]
    public void A_team_report_ahead_of_the_server_is_stored_at_the_server_time_and_one_without_a_time_at_now()
    {
        Assert.Equal(Now, ReportTimeRules.TeamReportTime("at", null, Now));
        Assert.Equal(Now, ReportTimeRules.TeamReportTime("at", Now.AddMinutes(4), Now));
        Assert.Equal(Now, ReportTimeRules.TeamReportTime("at", Now.AddMinutes(5), Now));
        Assert.Equal(Now.AddMinutes(-3), ReportTimeRules.TeamReportTime("at", Now.AddMinutes(-3), Now));
        Assert.Equal("occurredAt", Assert.Throws<DomainException>(() => ReportTimeRules.TeamReportTime("occurredAt", Now.AddMinutes(6), Now)).Field);
        Assert.Equal("at", Assert.Throws<DomainException>(() => ReportTimeRules.TeamReportTime("at", DateTimeOffset.UnixEpoch, Now)).Field);
    }

    [Fact]
    public void A_report_is_older_than_the_one_held_only_before_its_time_and_a_held_time_ahead_of_the_server_counts_as_now()
    {
        Assert.True(ReportTimeRules.IsOlderThanHeld(Now.AddMinutes(-2), Now.AddMinutes(-1), Now));
        Assert.False(ReportTimeRules.IsOlderThanHeld(Now.AddMinutes(-1), Now.AddMinutes(-1), Now));
        // A position stored 4 minutes ahead before times were clamped does not block the reports made now.
        Assert.False(ReportTimeRules.IsOlderThanHeld(Now, Now.AddMinutes(4), Now));
        Assert.True(ReportTimeRules.IsOlderThanHeld(Now.AddSeconds(-1), Now.AddMinutes(4), Now));
    }

    [Fact]
    public void Task_update_times_are_never_before_the_tasks_previous_event()
    {
        var issued = Now.AddMinutes(-30);
        var acknowledged = Now.AddSeconds(-10);
        // InProgress at -60 s and Done at -90 s after an Acknowledged at -10 s: both at the acknowledgement.
        Assert.Equal(acknowledged, ReportTimeRules.TaskUpdateTime(Now.AddSeconds(-60), issued, Now, acknowledged));
        Assert.Equal(acknowledged, ReportTimeRules.TaskUpdateTime(Now.AddSeconds(-90), issued, Now, acknowledged));
        Assert.Equal(Now.AddSeconds(-5), ReportTimeRules.TaskUpdateTime(Now.AddSeconds(-5), issued, Now, acknowledged));
        Assert.Equal(Now, ReportTimeRules.TaskUpdateTime(null, issued, Now, acknowledged));
        // Still refused when more than 5 minutes before the issue, whatever came before.
        Assert.Throws<DomainException>(() => ReportTimeRules.TaskUpdateTime(issued.AddMinutes(-6), issued, Now, acknowledged));
    }

    [Fact]
    public void The_previous_event_of_a_task_is_its_latest_of_issue_acknowledgement_and_start()
    {
        var task = new DispatchTask
        {
            Id = "task-1", IncidentId = "INC", TeamId = "D01", Title = "x", IssuedBy = TaskIssuer.DistrictCentre, IssuedByActor = "d",
            Status = DispatchTaskStatus.Issued, IssuedAt = Now.AddMinutes(-30), DueAt = Now.AddMinutes(30), UpdatedAt = Now,
        };
        Assert.Equal(task.IssuedAt, TaskRules.LastEventAt(task));
        Assert.Equal(Now.AddMinutes(-20), TaskRules.LastEventAt(task with { AcknowledgedAt = Now.AddMinutes(-20) }));
        Assert.Equal(Now.AddMinutes(-10), TaskRules.LastEventAt(task with { AcknowledgedAt = Now.AddMinutes(-20), StartedAt = Now.AddMinutes(-10) }));
    }
}

public sealed class LateTeamStatusTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 9, 0, 0, TimeSpan.FromHours(8));

    [Fact]
    public void A_status_older_than_a_reported_one_is_late_by_the_same_clock()
    {
        var onScene = new StatusTime(Now.AddMinutes(-1), DeviceClock: true);
        Assert.True(TeamStatusRules.IsLate(Now.AddMinutes(-5), onScene, Now, TeamStatus.Assigned, TeamStatus.EnRoute));
        Assert.True(TeamStatusRules.IsLate(Now.AddMinutes(-1).AddSeconds(-1), onScene, Now, TeamStatus.Assigned, TeamStatus.EnRoute));
        Assert.False(TeamStatusRules.IsLate(Now.AddMinutes(-1), onScene, Now, TeamStatus.Assigned, TeamStatus.EnRoute));
        Assert.False(TeamStatusRules.IsLate(Now, onScene, Now, TeamStatus.Assigned, TeamStatus.EnRoute));
    }

    [Fact]
    public void Against_a_status_the_server_set_a_device_clock_up_to_five_minutes_behind_is_not_late()
    {
        var assigned = new StatusTime(Now.AddMinutes(-1), DeviceClock: false);
        Assert.False(TeamStatusRules.IsLate(Now.AddMinutes(-3), assigned, Now, TeamStatus.Assigned, TeamStatus.EnRoute));
        Assert.False(TeamStatusRules.IsLate(Now.AddMinutes(-6), assigned, Now, TeamStatus.Assigned, TeamStatus.EnRoute));
        Assert.True(TeamStatusRules.IsLate(Now.AddMinutes(-6).AddSeconds(-1), assigned, Now, TeamStatus.Assigned, TeamStatus.EnRoute));
        // A held time ahead of the server's counts as now; a held time of 0001-01-01 (a state never set) makes nothing late.
        Assert.False(TeamStatusRules.IsLate(Now, new StatusTime(Now.AddMinutes(4), DeviceClock: true), Now, TeamStatus.Assigned, TeamStatus.EnRoute));
        Assert.False(TeamStatusRules.IsLate(DateTimeOffset.MinValue, new StatusTime(DateTimeOffset.MinValue, DeviceClock: false), Now, TeamStatus.Assigned, TeamStatus.EnRoute));
    }

    [Fact]
    public void Against_a_status_the_server_set_a_step_back_dated_before_it_is_late_and_a_step_on_is_not()
    {
        // OnScene reported live by the app (the server's time), then the crew's radio log: EnRoute a few seconds before it.
        var onScene = new StatusTime(Now.AddMinutes(-2), DeviceClock: false);
        Assert.True(TeamStatusRules.IsLate(Now.AddMinutes(-2).AddSeconds(-6), onScene, Now, TeamStatus.OnScene, TeamStatus.EnRoute));
        Assert.True(TeamStatusRules.IsLate(Now.AddMinutes(-3), onScene, Now, TeamStatus.Returning, TeamStatus.OnScene));
        // A step on dated a little before is a device clock behind: it applies, as before.
        Assert.False(TeamStatusRules.IsLate(Now.AddMinutes(-3), onScene, Now, TeamStatus.EnRoute, TeamStatus.OnScene));
        // Dated after the status held, a step back is a move (OnScene, then EnRoute to the next street): it applies.
        Assert.False(TeamStatusRules.IsLate(Now.AddMinutes(-1), onScene, Now, TeamStatus.OnScene, TeamStatus.EnRoute));
        // Out of the response (Available, OutOfService) nothing is a step back.
        Assert.False(TeamStatusRules.IsLate(Now.AddMinutes(-3), onScene, Now, TeamStatus.Available, TeamStatus.OutOfService));
    }
}
