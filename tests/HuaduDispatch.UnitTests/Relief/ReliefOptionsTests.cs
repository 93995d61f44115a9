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
}
