using HuaduDispatch.Grains.Agencies;

namespace HuaduDispatch.UnitTests.Agencies;

/// <summary>
/// The waits between a webhook delivery's attempts double from BaseDelay up to MaxDelay, each within ±20 %: with the defaults
/// an event is tried for minutes, not the 25 s Polly's jitter gave (thirtieth session's administrator test, L2).
/// </summary>
public sealed class WebhookBackoffTests
{
    private static readonly WebhookOptions Defaults = new();

    [Fact]
    public void The_waits_double_from_the_base_and_stop_at_the_cap()
    {
        var middle = Enumerable.Range(0, Defaults.MaxAttempts - 1)
            .Select(retry => WebhookBackoff.Delay(retry, Defaults.BaseDelay, Defaults.MaxDelay, 0.5).TotalSeconds).ToList();
        Assert.Equal([2, 4, 8, 16, 32, 64, 120], middle);
    }

    [Theory]
    [InlineData(0.0, 0.8)]
    [InlineData(0.999999, 1.2)]
    public void Each_wait_is_within_twenty_percent_of_the_doubling(double random, double factor)
    {
        Assert.Equal(8 * factor, WebhookBackoff.Delay(2, TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(2), random).TotalSeconds, 3);
        Assert.Equal(120 * factor, WebhookBackoff.Delay(20, TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(2), random).TotalSeconds, 3);
    }

    [Fact]
    public void With_the_defaults_an_event_is_retried_for_more_than_three_minutes_before_it_is_a_dead_letter()
    {
        var shortest = Enumerable.Range(0, Defaults.MaxAttempts - 1).Sum(retry => WebhookBackoff.Delay(retry, Defaults.BaseDelay, Defaults.MaxDelay, 0).TotalSeconds);
        var longest = Enumerable.Range(0, Defaults.MaxAttempts - 1).Sum(retry => WebhookBackoff.Delay(retry, Defaults.BaseDelay, Defaults.MaxDelay, 0.999999).TotalSeconds);
        Assert.InRange(shortest, 196, 197); // 246 s × 0.8
        Assert.InRange(longest, 295, 296);  // 246 s × 1.2
    }
}
