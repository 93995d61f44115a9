using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Dispatch.Rules;

namespace HuaduDispatch.UnitTests.Rules;

public sealed class IncidentLifecycleTests
{
    [Theory]
    [InlineData(IncidentStatus.Reported, IncidentStatus.Verified)]
    [InlineData(IncidentStatus.Reported, IncidentStatus.Responding)]
    [InlineData(IncidentStatus.Verified, IncidentStatus.Responding)]
    [InlineData(IncidentStatus.Responding, IncidentStatus.Contained)]
    [InlineData(IncidentStatus.Contained, IncidentStatus.Recovery)]
    [InlineData(IncidentStatus.Contained, IncidentStatus.Responding)]
    [InlineData(IncidentStatus.Recovery, IncidentStatus.Closed)]
    [InlineData(IncidentStatus.Reported, IncidentStatus.Cancelled)]
    [InlineData(IncidentStatus.Responding, IncidentStatus.Merged)]
    // A false alarm found by the team sent to it (since the twenty-ninth session; it was refused, and the only way out was
    // Contained -> Recovery -> Closed, recording a fire that never was).
    [InlineData(IncidentStatus.Responding, IncidentStatus.Cancelled)]
    public void Allowed_transitions_pass(IncidentStatus from, IncidentStatus to) => Assert.Null(IncidentLifecycle.Check(from, to));

    [Theory]
    [InlineData(IncidentStatus.Reported, IncidentStatus.Closed)]
    [InlineData(IncidentStatus.Responding, IncidentStatus.Reported)]
    [InlineData(IncidentStatus.Contained, IncidentStatus.Cancelled)]
    [InlineData(IncidentStatus.Recovery, IncidentStatus.Responding)]
    [InlineData(IncidentStatus.Closed, IncidentStatus.Responding)]
    [InlineData(IncidentStatus.Cancelled, IncidentStatus.Verified)]
    [InlineData(IncidentStatus.Merged, IncidentStatus.Closed)]
    [InlineData(IncidentStatus.Verified, IncidentStatus.Verified)]
    public void Illegal_transitions_give_a_reason(IncidentStatus from, IncidentStatus to)
    {
        var reason = IncidentLifecycle.Check(from, to);
        Assert.False(string.IsNullOrWhiteSpace(reason));
        Assert.Contains(from.ToString(), reason);
    }

    [Fact]
    public void Merged_into_is_refused_on_every_transition_but_a_merge_naming_the_field()
    {
        foreach (var to in Enum.GetValues<IncidentStatus>().Where(s => s != IncidentStatus.Merged))
        {
            var e = Assert.Throws<DomainException>(() => IncidentLifecycle.CheckMergedInto(to, "INC-20261205-B"));
            Assert.Equal((DomainErrorKind.Invalid, "mergedInto"), (e.Kind, e.Field));
            IncidentLifecycle.CheckMergedInto(to, null);
        }
        IncidentLifecycle.CheckMergedInto(IncidentStatus.Merged, "INC-20261205-B");
    }

    [Fact]
    public void Every_final_status_accepts_no_transition_and_no_dispatch()
    {
        foreach (var final in Enum.GetValues<IncidentStatus>().Where(IncidentLifecycle.IsFinal))
        {
            Assert.False(IncidentLifecycle.AcceptsDispatch(final));
            Assert.All(Enum.GetValues<IncidentStatus>(), to => Assert.NotNull(IncidentLifecycle.Check(final, to)));
        }
    }
}

public sealed class TeamStatusRulesTests
{
    [Theory]
    [InlineData(TeamStatus.Assigned, TeamStatus.EnRoute)]
    [InlineData(TeamStatus.EnRoute, TeamStatus.OnScene)]
    [InlineData(TeamStatus.Assigned, TeamStatus.OnScene)]
    [InlineData(TeamStatus.OnScene, TeamStatus.Returning)]
    [InlineData(TeamStatus.Returning, TeamStatus.OnScene)]
    [InlineData(TeamStatus.OnScene, TeamStatus.OnScene)]
    public void Assigned_team_moves_along_its_response(TeamStatus from, TeamStatus to) => Assert.Null(TeamStatusRules.CheckReport(from, to, "INC-1"));

    [Theory]
    [InlineData(TeamStatus.Available, TeamStatus.OnScene)]
    [InlineData(TeamStatus.Available, TeamStatus.EnRoute)]
    [InlineData(TeamStatus.Available, TeamStatus.Returning)]
    [InlineData(TeamStatus.Available, TeamStatus.Assigned)]
    public void Without_an_assignment_response_statuses_are_refused(TeamStatus from, TeamStatus to) =>
        Assert.NotNull(TeamStatusRules.CheckReport(from, to, null));

    [Theory]
    [InlineData(TeamStatus.OnScene, TeamStatus.Available)]
    [InlineData(TeamStatus.Assigned, TeamStatus.OffDuty)]
    [InlineData(TeamStatus.EnRoute, TeamStatus.OutOfService)]
    public void An_assigned_team_cannot_leave_its_incident_on_its_own(TeamStatus from, TeamStatus to)
    {
        var reason = TeamStatusRules.CheckReport(from, to, "INC-7");
        Assert.Contains("INC-7", reason);
    }

    [Fact]
    public void Only_an_available_or_returning_unassigned_team_is_dispatchable()
    {
        Assert.True(TeamStatusRules.IsDispatchable(TeamStatus.Available, null));
        Assert.False(TeamStatusRules.IsDispatchable(TeamStatus.Available, "INC-1"));
        // Released on its way back: free and on the road, so it can be sent on (it had to report Available, "at base", first,
        // until the twenty-ninth session).
        Assert.True(TeamStatusRules.IsDispatchable(TeamStatus.Returning, null));
        Assert.False(TeamStatusRules.IsDispatchable(TeamStatus.Returning, "INC-1"));
        foreach (var s in Enum.GetValues<TeamStatus>().Where(s => s is not (TeamStatus.Available or TeamStatus.Returning)))
            Assert.False(TeamStatusRules.IsDispatchable(s, null));
    }

    [Theory]
    [InlineData(TeamStatus.Assigned, TeamStatus.Available)]
    [InlineData(TeamStatus.EnRoute, TeamStatus.Returning)]
    [InlineData(TeamStatus.OnScene, TeamStatus.Returning)]
    [InlineData(TeamStatus.Returning, TeamStatus.Returning)]
    public void Release_sends_a_team_back_or_frees_it(TeamStatus current, TeamStatus expected) =>
        Assert.Equal(expected, TeamStatusRules.AfterRelease(current));
}

public sealed class TaskRulesTests
{
    [Theory]
    [InlineData(DispatchTaskStatus.Issued, DispatchTaskStatus.Acknowledged, true)]
    [InlineData(DispatchTaskStatus.Issued, DispatchTaskStatus.InProgress, true)]
    [InlineData(DispatchTaskStatus.InProgress, DispatchTaskStatus.Done, true)]
    [InlineData(DispatchTaskStatus.InProgress, DispatchTaskStatus.Failed, true)]
    [InlineData(DispatchTaskStatus.Acknowledged, DispatchTaskStatus.Cancelled, true)]
    [InlineData(DispatchTaskStatus.Issued, DispatchTaskStatus.Done, false)]
    [InlineData(DispatchTaskStatus.Done, DispatchTaskStatus.InProgress, false)]
    [InlineData(DispatchTaskStatus.Cancelled, DispatchTaskStatus.Acknowledged, false)]
    [InlineData(DispatchTaskStatus.InProgress, DispatchTaskStatus.Acknowledged, false)]
    public void Task_transitions(DispatchTaskStatus from, DispatchTaskStatus to, bool allowed) =>
        Assert.Equal(allowed, TaskRules.Check(from, to) is null);

    [Fact]
    public void The_outcome_of_a_cancelled_task_is_a_late_report_after_the_cancellations_reason_and_once()
    {
        var t0 = DateTimeOffset.UtcNow;
        var cancelled = Task(DispatchTaskStatus.Cancelled, t0, t0.AddHours(1)) with { Note = "team released: incident Closed" };
        var (late, note) = TaskRules.LateOutcome(cancelled, DispatchTaskStatus.Done, "2 rescued")!.Value;
        Assert.Equal("reported Done after the task was cancelled: 2 rescued", late);
        Assert.Equal("team released: incident Closed; reported Done after the task was cancelled: 2 rescued", note);
        Assert.Null(TaskRules.LateOutcome(cancelled with { Note = note }, DispatchTaskStatus.Done, "2 rescued")!.Value.Note); // a retry
        Assert.Null(TaskRules.LateOutcome(cancelled, DispatchTaskStatus.InProgress, null)); // not an outcome: the transition rule answers
        Assert.Null(TaskRules.LateOutcome(Task(DispatchTaskStatus.InProgress, t0, t0.AddHours(1)), DispatchTaskStatus.Done, null));
    }

    private static DispatchTask Task(DispatchTaskStatus status, DateTimeOffset issued, DateTimeOffset due, params string[] alerts) => new()
    {
        Id = "task-1", IncidentId = "INC", TeamId = "D01", Title = "t", IssuedBy = TaskIssuer.DistrictCentre, IssuedByActor = "d",
        Status = status, IssuedAt = issued, DueAt = due, Alerts = alerts, UpdatedAt = issued,
    };

    [Fact]
    public void Unacknowledged_alert_comes_after_the_ack_timeout_and_only_once()
    {
        var t0 = new DateTimeOffset(2026, 11, 29, 8, 0, 0, TimeSpan.Zero);
        var task = Task(DispatchTaskStatus.Issued, t0, t0.AddHours(1));
        Assert.Empty(TaskWatch.Due([task], t0.AddMinutes(4), TimeSpan.FromMinutes(5)));
        Assert.Equal([("task-1", TaskWatch.Unacknowledged)], TaskWatch.Due([task], t0.AddMinutes(5), TimeSpan.FromMinutes(5)));
        Assert.Empty(TaskWatch.Due([Task(DispatchTaskStatus.Issued, t0, t0.AddHours(1), TaskWatch.Unacknowledged)], t0.AddMinutes(10), TimeSpan.FromMinutes(5)));
        Assert.Empty(TaskWatch.Due([Task(DispatchTaskStatus.Acknowledged, t0, t0.AddHours(1))], t0.AddMinutes(10), TimeSpan.FromMinutes(5)));
    }

    /// <summary>
    /// A crew that reported a working status after its task was issued answered it: no Unacknowledged (the typhoon-night
    /// tester's F8: crews on scene were flagged). A status taken before the task went out, or one that is no work here
    /// (another team's), does not answer it.
    /// </summary>
    [Fact]
    public void A_task_whose_team_reported_a_working_status_after_it_was_issued_is_not_unacknowledged()
    {
        var t0 = new DateTimeOffset(2026, 12, 6, 11, 19, 20, TimeSpan.Zero);
        var task = Task(DispatchTaskStatus.Issued, t0, t0.AddHours(1));
        var later = t0.AddMinutes(6);
        var timeout = TimeSpan.FromMinutes(5);
        Assert.Empty(TaskWatch.Due([task], later, timeout, new Dictionary<string, DateTimeOffset> { ["D01"] = t0.AddSeconds(13) }));
        Assert.Empty(TaskWatch.Due([task], later, timeout, new Dictionary<string, DateTimeOffset> { ["D01"] = t0 }));
        Assert.Equal([("task-1", TaskWatch.Unacknowledged)], TaskWatch.Due([task], later, timeout, new Dictionary<string, DateTimeOffset> { ["D01"] = t0.AddSeconds(-1) }));
        Assert.Equal([("task-1", TaskWatch.Unacknowledged)], TaskWatch.Due([task], later, timeout, new Dictionary<string, DateTimeOffset> { ["T05"] = t0.AddSeconds(13) }));
        // Its Overdue is not affected: a working crew's task past its due time is still flagged.
        Assert.Equal([("task-1", TaskWatch.Overdue)], TaskWatch.Due([task], t0.AddHours(1), timeout, new Dictionary<string, DateTimeOffset> { ["D01"] = t0.AddSeconds(13) }));
        Assert.True(TaskWatch.AwaitsAcknowledgement(task, later, timeout));
        Assert.False(TaskWatch.AwaitsAcknowledgement(task, t0.AddMinutes(4), timeout));
        Assert.Equal([TeamStatus.EnRoute, TeamStatus.OnScene, TeamStatus.Returning], Enum.GetValues<TeamStatus>().Where(TaskWatch.ShowsWorking));
    }

    [Fact]
    public void Overdue_alert_for_open_tasks_past_due_and_never_for_finished_ones()
    {
        var t0 = new DateTimeOffset(2026, 11, 29, 8, 0, 0, TimeSpan.Zero);
        Assert.Contains(("task-1", TaskWatch.Overdue), TaskWatch.Due([Task(DispatchTaskStatus.InProgress, t0, t0.AddMinutes(30))], t0.AddMinutes(30), TimeSpan.FromMinutes(5)));
        Assert.Empty(TaskWatch.Due([Task(DispatchTaskStatus.Done, t0, t0.AddMinutes(30))], t0.AddHours(2), TimeSpan.FromMinutes(5)));
        Assert.False(TaskWatch.NeedsWatching([Task(DispatchTaskStatus.Done, t0, t0.AddMinutes(30))]));
        Assert.True(TaskWatch.NeedsWatching([Task(DispatchTaskStatus.Issued, t0, t0.AddMinutes(30))]));
    }

    [Fact]
    public void Only_the_district_centre_may_cancel()
    {
        Assert.True(TaskRules.MayCancel(new Actor { Subject = "x", Role = Roles.Dispatcher }));
        Assert.False(TaskRules.MayCancel(new Actor { Subject = "x", Role = Roles.Team, TeamId = "D01" }));
    }
}

public sealed class DispatchMathTests
{
    private static Area A(string id, double lat, double lon) => new()
    {
        Id = id, Kind = AreaKind.Town, NameZh = id, NameEn = id, Centroid = new GeoPoint { Lat = lat, Lon = lon },
    };

    [Fact]
    public void The_area_is_the_one_with_the_nearest_centroid()
    {
        Area[] areas = [A("xinhua", 23.40, 113.22), A("huadong", 23.43, 113.40), A("tanbu", 23.33, 113.08)];
        Assert.Equal("huadong", DispatchMath.NearestArea(areas, 23.44, 113.38));
        Assert.Equal("tanbu", DispatchMath.NearestArea(areas, 23.30, 113.05));
        Assert.Equal("xinhua", DispatchMath.NearestArea(areas, 23.40, 113.22));
    }

    [Fact]
    public void Assigned_teams_cover_one_slot_each_and_multi_skill_teams_do_not_count_twice()
    {
        ModuleRequirement[] required = [new() { Capability = Capability.GeologicalHazard, Count = 2 }, new() { Capability = Capability.Medical, Count = 1 }];
        var open = DispatchMath.OpenModules(required, [[Capability.GeologicalHazard, Capability.Medical]]);
        Assert.Equal(2, open.Sum(m => m.Count));
        var none = DispatchMath.OpenModules(required, [[Capability.GeologicalHazard], [Capability.GeologicalHazard], [Capability.Medical]]);
        Assert.Empty(none);
        var all = DispatchMath.OpenModules(required, []);
        Assert.Equal(3, all.Sum(m => m.Count));
    }

    [Fact]
    public void More_severe_levels_and_trapped_people_weigh_more()
    {
        Assert.True(DispatchMath.Priority(ResponseLevel.I, Assessment.None) > DispatchMath.Priority(ResponseLevel.II, Assessment.None));
        Assert.True(DispatchMath.Priority(ResponseLevel.IV, new Assessment { Trapped = 2 }) > DispatchMath.Priority(ResponseLevel.IV, Assessment.None));
    }
}
