using HuaduDispatch.Api;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HuaduDispatch.UnitTests.Api;

/// <summary>The ?since= of the relief KPIs and alerts: ISO 8601 with its offset, also when the '+' arrived as a space.</summary>
public sealed class InstantQueryTests
{
    [Theory]
    [InlineData("2026-12-01T00:00:00+08:00")]
    [InlineData("2026-12-01T00:00:00 08:00")] // '+' typed unencoded in a URL, decoded as a space
    [InlineData("2026-11-30T16:00:00Z")]
    [InlineData("2026-12-01T00:00:00.000 08:00")]
    public void An_instant_with_its_offset_is_read_also_when_its_plus_arrived_as_a_space(string since)
    {
        Assert.True(Problems.TryParseInstant(since, "since", out var at, out var error));
        Assert.Null(error);
        Assert.Equal(new DateTimeOffset(2026, 11, 30, 16, 0, 0, TimeSpan.Zero), at);
    }

    [Theory]
    [InlineData("2026-12-01T00:00:00")]
    [InlineData("2026-12-01 08:00")]
    [InlineData("yesterday")]
    public void One_without_an_offset_is_a_400_that_says_the_plus_is_sent_as_percent_2B(string since)
    {
        Assert.False(Problems.TryParseInstant(since, "since", out _, out var error));
        var problem = Assert.IsType<ValidationProblem>(error);
        var message = Assert.Single(problem.ProblemDetails.Errors["since"]);
        Assert.Contains("%2B", message);
        Assert.StartsWith($"'{since}' is not an ISO 8601 date-time with an offset", message);
        Assert.Equal(message, problem.ProblemDetails.Detail); // the detail says it too, as a body's 400 does
    }

    [Theory]
    [InlineData("0001-01-01T00:00:00+14:00")]
    [InlineData("9999-12-31T23:59:59-14:00")]
    [InlineData("0001-01-01T00:00:00 08:00")]
    public void A_well_formed_one_outside_the_range_once_in_UTC_is_a_400_that_says_so(string since)
    {
        Assert.False(Problems.TryParseInstant(since, "since", out _, out var error));
        var message = Assert.Single(Assert.IsType<ValidationProblem>(error).ProblemDetails.Errors["since"]);
        Assert.Equal($"'{since}' is outside the times this system handles (0001-01-01 to 9999-12-31 in UTC once its offset is applied).", message);
    }
}
