using HuaduDispatch.Api;
using Orleans.Runtime;
using Orleans.Storage;

namespace HuaduDispatch.UnitTests.Api;

public sealed class TransientFaultsTests
{
    private sealed class TestDbException(bool transient) : System.Data.Common.DbException("db")
    {
        public override bool IsTransient => transient;
    }

    [Fact]
    public void Faults_a_retry_can_get_past_are_transient_also_when_wrapped()
    {
        Assert.Contains("did not complete in time", TransientFaults.Describe(new TimeoutException()));
        Assert.Contains("database did not answer", TransientFaults.Describe(new TestDbException(transient: true)));
        // The storage's own form, which Orleans carries from the silo that holds the grain (the driver's exception it cannot).
        Assert.Contains("database did not answer", TransientFaults.Describe(new HuaduDispatch.Contracts.DatabaseUnavailableException("the database did not answer: Exception while reading from stream")));
        Assert.Contains("another change", TransientFaults.Describe(new InconsistentStateException("etag")));
        Assert.Contains("went away", TransientFaults.Describe(new SiloUnavailableException()));
        Assert.NotNull(TransientFaults.Describe(new OrleansException("storage", new TestDbException(transient: true))));
        Assert.NotNull(TransientFaults.Describe(new AggregateException(new TimeoutException())));
        // Orleans' "Message expired before placement could complete": a 500 until the twenty-ninth session.
        Assert.Contains("did not complete in time", TransientFaults.Describe(new OperationCanceledException("Message expired before placement could complete for grain incident/INC-1")));
    }

    [Fact]
    public void A_read_is_asked_to_retry_without_the_advice_on_Idempotency_Keys_which_is_for_changes()
    {
        Exception[] faults = [new TimeoutException(), new TestDbException(transient: true), new SiloUnavailableException(), new AggregateException(new SiloUnavailableException())];
        Assert.All(faults, f => Assert.Contains("Idempotency-Key", TransientFaults.Describe(f)));
        Assert.All(faults, f => Assert.DoesNotContain("Idempotency-Key", TransientFaults.Describe(f, read: true)));
        Assert.All(faults, f => Assert.Contains("retry", TransientFaults.Describe(f, read: true)));
    }

    [Fact]
    public void A_hub_call_has_no_Idempotency_Key_to_send_and_is_not_advised_one()
    {
        // A radio's hub call met a dead node and was told to retry "with an Idempotency-Key" (thirtieth session's cluster test).
        Exception[] faults = [new TimeoutException(), new TestDbException(transient: true), new SiloUnavailableException(), new AggregateException(new SiloUnavailableException())];
        Assert.All(faults, f => Assert.DoesNotContain("Idempotency-Key", TransientFaults.Describe(f, hubCall: true)));
        Assert.All(faults, f => Assert.Contains("retry", TransientFaults.Describe(f, hubCall: true)));
        Assert.Contains("may or may not have taken effect", TransientFaults.Describe(new TimeoutException(), hubCall: true));
        // A hub read (Subscribe, Resync) changes nothing: it is told to retry, not that a change may have taken effect (the
        // verifying test saw Resync told so during a database outage).
        Assert.True(HuaduDispatch.Api.Realtime.DomainHubFilter.IsRead("Resync") && HuaduDispatch.Api.Realtime.DomainHubFilter.IsRead("Subscribe"));
        Assert.False(HuaduDispatch.Api.Realtime.DomainHubFilter.IsRead("ReportStatus"));
        Assert.All(faults, f => Assert.DoesNotContain("taken effect", TransientFaults.Describe(f, read: true, hubCall: true)));
    }

    [Fact]
    public void Faults_of_ours_are_not_transient()
    {
        Assert.Null(TransientFaults.Describe(new TestDbException(transient: false))); // e.g. a constraint or a syntax error
        Assert.Null(TransientFaults.Describe(new InvalidOperationException("bug")));
        Assert.Null(TransientFaults.Describe(new NullReferenceException()));
        Assert.Null(TransientFaults.Describe(new AggregateException(new TimeoutException(), new InvalidOperationException())));
    }
}
