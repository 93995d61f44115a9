using HuaduDispatch.Api;
using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Api;

namespace HuaduDispatch.UnitTests.Api;

public sealed class IdempotencyRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 6, 12, 8, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Day = TimeSpan.FromHours(24);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(60);

    [Fact]
    public void A_new_key_proceeds() =>
        Assert.Equal(IdempotencyOutcome.Proceed, IdempotencyRules.Decide(null, default, null, false, "f1", T0, Day, Lease));

    [Fact]
    public void The_same_request_after_an_answer_is_replayed() =>
        Assert.Equal(IdempotencyOutcome.Replay, IdempotencyRules.Decide("f1", T0, null, true, "f1", T0.AddHours(23), Day, Lease));

    [Fact]
    public void A_different_request_with_the_key_is_a_mismatch_even_while_the_first_runs()
    {
        Assert.Equal(IdempotencyOutcome.Mismatch, IdempotencyRules.Decide("f1", T0, null, true, "f2", T0.AddMinutes(1), Day, Lease));
        Assert.Equal(IdempotencyOutcome.Mismatch, IdempotencyRules.Decide("f1", T0, T0, false, "f2", T0.AddSeconds(1), Day, Lease));
    }

    [Fact]
    public void The_same_request_while_the_first_runs_is_in_progress_until_the_lease_ends()
    {
        Assert.Equal(IdempotencyOutcome.InProgress, IdempotencyRules.Decide("f1", T0, T0, false, "f1", T0.AddSeconds(5), Day, Lease));
        Assert.Equal(IdempotencyOutcome.Proceed, IdempotencyRules.Decide("f1", T0, T0, false, "f1", T0.AddSeconds(61), Day, Lease));
    }

    [Fact]
    public void After_the_retention_a_key_is_new_again() =>
        Assert.Equal(IdempotencyOutcome.Proceed, IdempotencyRules.Decide("f1", T0, null, true, "f2", T0.AddHours(24).AddSeconds(1), Day, Lease));

    [Theory]
    [InlineData(200, true)]
    [InlineData(201, true)]
    [InlineData(400, true)]
    [InlineData(404, true)]
    [InlineData(409, true)]
    [InlineData(401, false)]
    [InlineData(403, false)]
    [InlineData(429, false)]
    [InlineData(500, false)]
    [InlineData(503, false)]
    public void Only_answers_the_same_request_would_get_again_are_kept(int status, bool kept) =>
        Assert.Equal(kept, IdempotencyMiddleware.Keep(status));

    [Theory]
    [InlineData("$.location.lat", "location.lat")]
    [InlineData("$.title", "title")]
    [InlineData("$", "body")]
    [InlineData(null, "body")]
    [InlineData("$[0].type", "[0].type")]
    public void Json_paths_become_field_names(string? path, string field) => Assert.Equal(field, DomainExceptionHandler.JsonField(path));

    [Fact]
    public void Enum_conversion_errors_list_the_accepted_values()
    {
        var text = DomainExceptionHandler.Readable("The JSON value could not be converted to System.Nullable`1[HuaduDispatch.Contracts.IncidentType].");
        Assert.Contains("Waterlogging", text);
        Assert.Contains("Typhoon", text);
        Assert.DoesNotContain("Nullable", text);
    }

    [Theory]
    [InlineData(0.2, 1)]   // just started: it is most likely about to answer
    [InlineData(3, 3)]     // running a while: wait as long again
    [InlineData(40, 20)]   // never past the lease's end, when a request whose node died gives the key up
    [InlineData(59.5, 1)]
    public void A_retry_of_a_key_in_use_waits_longer_the_longer_the_first_request_has_run(double runningSeconds, int retryAfter) =>
        Assert.Equal(retryAfter, IdempotencyMiddleware.RetryAfterSeconds(T0, T0.AddSeconds(runningSeconds), Lease));
}
