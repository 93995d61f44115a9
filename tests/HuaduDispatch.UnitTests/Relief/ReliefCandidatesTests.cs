using HuaduDispatch.Grains.Relief;

namespace HuaduDispatch.UnitTests.Relief;

public sealed class ReliefCandidatesTests
{
    [Fact]
    public void Demands_past_their_deadline_are_not_asked_again_and_those_never_planned_still_are()
    {
        var now = new DateTimeOffset(2026, 7, 15, 14, 0, 0, TimeSpan.FromHours(8));
        var deadlines = new Dictionary<string, DateTimeOffset> { ["INC-OLD"] = now.AddHours(-20), ["INC-DUE"] = now, ["INC-LIVE"] = now.AddMinutes(90) };

        Assert.Equal(["INC-LIVE", "INC-NEW"], ReliefCandidates.Ask(["INC-OLD", "INC-DUE", "INC-LIVE", "INC-NEW"], deadlines, now, TimeSpan.Zero));
    }

    [Fact]
    public void Demands_within_their_late_relief_window_are_still_asked_and_those_past_it_are_not()
    {
        var now = new DateTimeOffset(2026, 7, 15, 14, 0, 0, TimeSpan.FromHours(8));
        var deadlines = new Dictionary<string, DateTimeOffset>
        {
            ["INC-OLD"] = now.AddHours(-21), ["INC-LATE"] = now.AddHours(-20), ["INC-DUE"] = now, ["INC-LIVE"] = now.AddMinutes(90),
        };

        // 3 h deadline, late relief until 24 h: 21 h after the deadline.
        Assert.Equal(["INC-LATE", "INC-DUE", "INC-LIVE", "INC-NEW"],
            ReliefCandidates.Ask(["INC-OLD", "INC-LATE", "INC-DUE", "INC-LIVE", "INC-NEW"], deadlines, now, TimeSpan.FromHours(21)));
    }

    [Fact]
    public void A_report_since_a_moment_reads_the_demands_due_at_or_after_it_and_those_whose_deadline_is_not_known_yet()
    {
        var since = new DateTimeOffset(2026, 7, 15, 0, 0, 0, TimeSpan.FromHours(8));
        var deadlines = new Dictionary<string, DateTimeOffset>
        {
            ["INC-LAST-MONTH"] = since.AddDays(-30), ["INC-JUST-BEFORE"] = since.AddTicks(-1), ["INC-AT"] = since, ["INC-TODAY"] = since.AddHours(9),
        };

        Assert.Equal(["INC-AT", "INC-TODAY", "INC-UNPLANNED"],
            ReliefCandidates.DueSince(["INC-LAST-MONTH", "INC-JUST-BEFORE", "INC-AT", "INC-TODAY", "INC-UNPLANNED"], deadlines, since));
    }

    [Fact]
    public void A_demand_is_asked_until_the_late_relief_end_it_fixed_when_created_not_by_the_window_set_now()
    {
        var now = new DateTimeOffset(2026, 7, 15, 14, 0, 0, TimeSpan.FromHours(8));
        var deadlines = new Dictionary<string, DateTimeOffset> { ["INC-24H"] = now.AddHours(-5), ["INC-SHORT"] = now.AddHours(-1), ["INC-UNKNOWN"] = now.AddHours(-1) };
        // Created with 24 h of late relief (21 h after the deadline), and with none; the setting now gives 2 h after the deadline.
        var lateUntil = new Dictionary<string, DateTimeOffset> { ["INC-24H"] = now.AddHours(16), ["INC-SHORT"] = now.AddHours(-1) };

        Assert.Equal(["INC-24H", "INC-UNKNOWN"],
            ReliefCandidates.Ask(["INC-24H", "INC-SHORT", "INC-UNKNOWN"], deadlines, now, TimeSpan.FromHours(2), lateUntil));
    }
}
