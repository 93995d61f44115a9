using HuaduDispatch.Grains.Dispatch;
using HuaduDispatch.Grains.Realtime;
using HuaduDispatch.Grains.Relief;
using HuaduDispatch.Silo.Storage;

namespace HuaduDispatch.UnitTests;

/// <summary>The settings checks a node runs at start: the defaults pass, and each setting it cannot use is named.</summary>
public sealed class OptionsProblemsTests
{
    [Fact]
    public void The_defaults_have_no_problems()
    {
        Assert.Empty(new DispatchOptions().Problems());
        Assert.Empty(new RealtimeOptions().Problems());
        Assert.Empty(new ReliefOptions().Problems());
        Assert.Empty(new GroupCommitOptions().Problems());
    }

    [Fact]
    public void Dispatch_settings_that_are_not_positive_or_too_long_for_a_reminder_are_named()
    {
        var problems = new DispatchOptions
        {
            TaskAckTimeout = TimeSpan.Zero, DefaultTaskDue = TimeSpan.FromMinutes(-1), TaskWatchPeriod = TimeSpan.FromDays(50),
            ReliefResend = TimeSpan.FromSeconds(-1), DutyCommander = " ",
        }.Problems().ToList();
        Assert.Equal(5, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("Dispatch:TaskAckTimeout must be more than 0", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Dispatch:DefaultTaskDue must be more than 0", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Dispatch:TaskWatchPeriod must be under 49.7 days", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Dispatch:ReliefResend must be more than 0", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Dispatch:DutyCommander", StringComparison.Ordinal));
        // Short periods are allowed: the node lowers Orleans' minimum reminder period to match.
        Assert.Empty(new DispatchOptions { TaskWatchPeriod = TimeSpan.FromSeconds(2), ReliefResend = TimeSpan.FromSeconds(1) }.Problems());
    }

    [Theory]
    [InlineData(-1, 10, 5, "Realtime:CoalesceWindow")]
    [InlineData(1001, 10, 5, "Realtime:CoalesceWindow")]
    [InlineData(5, 0, 5, "Realtime:ResyncBufferSize")]
    [InlineData(5, 10, 0, "Realtime:RelayRegistrationPeriod")]
    [InlineData(5, 10, 90, "Realtime:RelayRegistrationPeriod")]
    public void Realtime_settings_out_of_range_are_named(int windowMs, int bufferSize, int registrationSeconds, string key)
    {
        var problems = new RealtimeOptions
        {
            CoalesceWindow = TimeSpan.FromMilliseconds(windowMs), ResyncBufferSize = bufferSize,
            RelayRegistrationPeriod = TimeSpan.FromSeconds(registrationSeconds),
        }.Problems().ToList();
        Assert.Equal(key, Assert.Single(problems).Split(' ')[0]);
    }

    [Fact]
    public void A_coalescing_window_of_zero_and_of_one_second_are_allowed()
    {
        Assert.Empty(new RealtimeOptions { CoalesceWindow = TimeSpan.Zero }.Problems());
        Assert.Empty(new RealtimeOptions { CoalesceWindow = RealtimeOptions.MaxCoalesceWindow }.Problems());
    }

    [Fact]
    public void Relief_settings_that_cannot_work_are_named()
    {
        Assert.Equal(["Relief:AtRiskBefore"], Keys(new ReliefOptions { AtRiskBefore = TimeSpan.FromHours(3) }));
        Assert.Equal(["Relief:AtRiskBefore"], Keys(new ReliefOptions { AtRiskBefore = TimeSpan.FromMinutes(-1) }));
        Assert.Equal(["Relief:Deadline", "Relief:AtRiskBefore"], Keys(new ReliefOptions { Deadline = TimeSpan.Zero }));
        Assert.Equal(["Relief:ReplanDebounce"], Keys(new ReliefOptions { ReplanDebounce = TimeSpan.FromMilliseconds(-1) }));
        Assert.Equal(["Relief:ReplanRetryMax"], Keys(new ReliefOptions { ReplanRetryMax = TimeSpan.FromSeconds(1) }));
        Assert.Equal(["Relief:ReplanBackstop"], Keys(new ReliefOptions { ReplanBackstop = TimeSpan.Zero }));
        Assert.Equal(["Relief:ArchiveAfter"], Keys(new ReliefOptions { ArchiveAfter = TimeSpan.FromDays(-1) }));
        Assert.Equal(["Relief:PlannerShare"], Keys(new ReliefOptions { PlannerShare = 0 }));
        Assert.Equal(["Relief:PlannerShare"], Keys(new ReliefOptions { PlannerShare = double.NaN }));
        Assert.Equal(["Relief:PlannerNice"], Keys(new ReliefOptions { PlannerNice = -1 }));
        Assert.Equal(["Relief:PlannerNice"], Keys(new ReliefOptions { PlannerNice = 20 }));
        Assert.Empty(new ReliefOptions { PlannerNice = 0 }.Problems());
        Assert.Empty(new ReliefOptions { PlannerNice = 19 }.Problems());
        Assert.Equal(["Relief:ShelterFarKm"], Keys(new ReliefOptions { ShelterFarKm = 0 }));
        Assert.Equal(["Relief:ShelterFarKm"], Keys(new ReliefOptions { ShelterFarKm = double.NaN }));
        Assert.Empty(new ReliefOptions { ReplanDebounce = TimeSpan.Zero, ArchiveAfter = TimeSpan.Zero, PlannerShare = 1 }.Problems());
    }

    [Fact]
    public void Group_commit_needs_a_batch_and_a_writer()
    {
        Assert.Equal(["GroupCommit:MaxBatch", "GroupCommit:Writers"],
            new GroupCommitOptions { MaxBatch = 0, Writers = 0 }.Problems().Select(p => p.Split(' ')[0]));
    }

    private static List<string> Keys(ReliefOptions options) => [.. options.Problems().Select(p => p.Split(' ')[0])];
}
