using HuaduDispatch.Grains.Relief;

namespace HuaduDispatch.UnitTests.Relief;

public sealed class ReliefOptionsTests
{
    [Fact]
    public void The_retry_after_a_failed_solve_waits_the_first_delay_then_doubles_it_with_each_failure_up_to_the_most()
    {
        var options = new ReliefOptions { ReplanRetry = TimeSpan.FromSeconds(5), ReplanRetryMax = TimeSpan.FromMinutes(2) };

        Assert.Equal(
            new[] { 5, 10, 20, 40, 80, 120, 120 }.Select(s => TimeSpan.FromSeconds(s)),
            Enumerable.Range(1, 7).Select(options.RetryDelay));
        Assert.Equal(TimeSpan.FromMinutes(2), options.RetryDelay(10_000)); // no overflow however long it keeps failing
    }

    [Fact]
    public void A_re_plan_asked_for_after_a_long_solve_waits_until_the_planners_share_allows_it_and_never_less_than_the_debounce()
    {
        var options = new ReliefOptions { ReplanDebounce = TimeSpan.FromMilliseconds(200), PlannerShare = 0.5 };
        var now = DateTimeOffset.Parse("2026-06-12T09:00:00Z");
        var threeSeconds = TimeSpan.FromSeconds(3);

        Assert.Equal(TimeSpan.FromMilliseconds(200), options.Pacing(now, null, TimeSpan.Zero)); // nothing solved yet
        Assert.Equal(threeSeconds, options.Pacing(now, now, threeSeconds)); // half the time: as long a pause as the solve
        Assert.Equal(TimeSpan.FromSeconds(1), options.Pacing(now, now.AddSeconds(-2), threeSeconds));
        Assert.Equal(TimeSpan.FromMilliseconds(200), options.Pacing(now, now.AddSeconds(-10), threeSeconds));
        Assert.Equal(TimeSpan.FromMilliseconds(200), options.Pacing(now, now, TimeSpan.FromMilliseconds(15))); // a small plan
        Assert.Equal(TimeSpan.FromSeconds(9), new ReliefOptions { ReplanDebounce = TimeSpan.FromMilliseconds(200), PlannerShare = 0.25 }.Pacing(now, now, threeSeconds));
        Assert.Equal(TimeSpan.FromMilliseconds(200), new ReliefOptions { ReplanDebounce = TimeSpan.FromMilliseconds(200), PlannerShare = 1 }.Pacing(now, now, threeSeconds)); // off
    }
}
