using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Dispatch.Rules;
using Owed = HuaduDispatch.Grains.Dispatch.Rules.ReportUpwardRules.Owed;

namespace HuaduDispatch.UnitTests.Rules;

/// <summary>The report upward (the typhoon-night tester's F7): owed from the grading, never moved later by a level change.</summary>
public sealed class ReportUpwardRulesTests
{
    private static readonly TimeSpan HalfHour = TimeSpan.FromMinutes(30);
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);
    private static DateTimeOffset At(int h, int m, int s) => new(2026, 12, 6, h, m, s, TimeSpan.Zero);

    [Fact]
    public void The_first_grading_owes_a_report_within_the_levels_period()
    {
        Assert.Equal(new Owed(At(11, 49, 20), LeadingTier.City),
            ReportUpwardRules.OnLevel(null, first: true, ResponseLevel.IV, ResponseLevel.II, LeadingTier.City, HalfHour, At(11, 19, 20)));
    }

    [Fact]
    public void A_downgrade_keeps_the_report_owed_at_its_time_and_to_its_tier()
    {
        // II at 11:19:20 due 11:49:20, downgraded to III 13 s later: still due 11:49:20 (it was 12:19:33), still to the city.
        var owed = new Owed(At(11, 49, 20), LeadingTier.City);
        Assert.Equal(owed, ReportUpwardRules.OnLevel(owed, first: false, ResponseLevel.II, ResponseLevel.III, LeadingTier.DistrictCommand, Hour, At(11, 19, 33)));
    }

    [Fact]
    public void An_escalation_keeps_the_earlier_time_and_takes_the_more_senior_tier()
    {
        // II at 11:53:59 due 12:23:59, escalated to I at 11:56:30: still due 12:23:59 (it was 12:26:30), now to the province.
        Assert.Equal(new Owed(At(12, 23, 59), LeadingTier.Province),
            ReportUpwardRules.OnLevel(new Owed(At(12, 23, 59), LeadingTier.City), first: false, ResponseLevel.II, ResponseLevel.I, LeadingTier.Province, HalfHour, At(11, 56, 30)));
        // IV due in 2 h, escalated to III an hour and a half before: the III period ends first and counts.
        Assert.Equal(new Owed(At(13, 0, 0), LeadingTier.DistrictCommand),
            ReportUpwardRules.OnLevel(new Owed(At(13, 30, 0), LeadingTier.DistrictBureau), first: false, ResponseLevel.IV, ResponseLevel.III, LeadingTier.DistrictCommand, Hour, At(12, 0, 0)));
    }

    [Fact]
    public void After_a_report_an_escalation_owes_a_new_one_and_a_downgrade_none()
    {
        Assert.Equal(new Owed(At(12, 30, 0), LeadingTier.City),
            ReportUpwardRules.OnLevel(null, first: false, ResponseLevel.III, ResponseLevel.II, LeadingTier.City, HalfHour, At(12, 0, 0)));
        Assert.Null(ReportUpwardRules.OnLevel(null, first: false, ResponseLevel.II, ResponseLevel.III, LeadingTier.DistrictCommand, Hour, At(12, 0, 0)));
    }

    [Fact]
    public void Overdue_from_the_due_time_once_per_owed_report_and_in_district_time()
    {
        var owed = new Owed(At(11, 49, 20), LeadingTier.City);
        Assert.False(ReportUpwardRules.IsOverdue(owed, null, At(11, 49, 19)));
        Assert.True(ReportUpwardRules.IsOverdue(owed, null, At(11, 49, 20)));
        Assert.False(ReportUpwardRules.IsOverdue(owed, owed.DueBy, At(12, 0, 0))); // raised already
        Assert.True(ReportUpwardRules.IsOverdue(owed, At(10, 0, 0), At(12, 0, 0))); // raised for an earlier report owed
        Assert.False(ReportUpwardRules.IsOverdue(null, null, At(12, 0, 0)));
        Assert.Equal("report upward to City was due by 2026-12-06T19:49:20+08:00; not recorded as made", ReportUpwardRules.OverdueSummary(owed));
    }

    [Fact]
    public void A_report_defaults_to_the_tier_leading_now_and_a_long_reference_is_a_400_naming_it()
    {
        Assert.Equal((LeadingTier.City, null, null), ReportUpwardRules.Check(new UpwardReportRequest { Reference = "  ", Note = "" }, LeadingTier.City));
        Assert.Equal((LeadingTier.Province, "A-17", "phoned"), ReportUpwardRules.Check(new UpwardReportRequest { To = LeadingTier.Province, Reference = " A-17 ", Note = " phoned " }, LeadingTier.City));
        var tooLong = Assert.Throws<DomainException>(() => ReportUpwardRules.Check(new UpwardReportRequest { Reference = new string('x', 201) }, LeadingTier.City));
        Assert.Equal("reference", tooLong.Field);
        Assert.Equal("to", Assert.Throws<DomainException>(() => ReportUpwardRules.Check(new UpwardReportRequest { To = (LeadingTier)9 }, LeadingTier.City)).Field);
    }

    [Fact]
    public void The_reported_entry_says_whether_it_came_late()
    {
        var owed = new Owed(At(11, 49, 20), LeadingTier.City);
        Assert.Equal("reported upward to City, reference A-17: phoned (late: it was due by 2026-12-06T19:49:20+08:00)",
            ReportUpwardRules.ReportedSummary(LeadingTier.City, "A-17", "phoned", owed, At(11, 50, 0)));
        Assert.Equal("reported upward to City (due by 2026-12-06T19:49:20+08:00)", ReportUpwardRules.ReportedSummary(LeadingTier.City, null, null, owed, At(11, 40, 0)));
        Assert.Equal("reported upward to City (none was owed: a report again)", ReportUpwardRules.ReportedSummary(LeadingTier.City, null, null, null, At(11, 40, 0)));
    }

    [Fact]
    public void A_merge_keeps_the_earlier_owed_report_to_the_more_senior_tier_and_a_report_made_there_settles_the_survivors()
    {
        var at = new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
        var survivor = new ReportUpwardRules.Owed(at.AddHours(2), LeadingTier.DistrictBureau);
        var merged = new ReportUpwardRules.Owed(at.AddMinutes(30), LeadingTier.City);
        Assert.Equal(merged, ReportUpwardRules.OnMerge(survivor, merged, null));
        Assert.Equal(new ReportUpwardRules.Owed(at.AddMinutes(30), LeadingTier.City), ReportUpwardRules.OnMerge(new ReportUpwardRules.Owed(at.AddMinutes(40), LeadingTier.City), merged, null));
        Assert.Equal(merged, ReportUpwardRules.OnMerge(null, merged, null)); // the survivor reported, the merged one not yet
        Assert.Null(ReportUpwardRules.OnMerge(survivor, null, LeadingTier.City)); // the case was reported to the City
        Assert.Equal(new ReportUpwardRules.Owed(at.AddHours(1), LeadingTier.City), ReportUpwardRules.OnMerge(new ReportUpwardRules.Owed(at.AddHours(1), LeadingTier.City), null, LeadingTier.DistrictCommand));
        Assert.Null(ReportUpwardRules.OnMerge(null, null, null));
    }

    [Fact]
    public void A_report_to_a_less_senior_tier_leaves_the_one_owed_owed_and_says_so()
    {
        var owed = new ReportUpwardRules.Owed(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero), LeadingTier.City);
        Assert.False(ReportUpwardRules.Settles(owed, LeadingTier.DistrictBureau));
        Assert.True(ReportUpwardRules.Settles(owed, LeadingTier.City));
        Assert.True(ReportUpwardRules.Settles(owed, LeadingTier.Province));
        Assert.True(ReportUpwardRules.Settles(null, LeadingTier.DistrictBureau));
        Assert.EndsWith("the report owed to City by 2026-12-06T20:00:00+08:00 is still owed",
            ReportUpwardRules.ReportedSummary(LeadingTier.DistrictBureau, null, null, owed, owed.DueBy.AddMinutes(-5)));
    }
}
