using HuaduDispatch.Api.Realtime;
using HuaduDispatch.Contracts;
using Microsoft.AspNetCore.SignalR;

namespace HuaduDispatch.UnitTests.Realtime;

/// <summary>
/// What a node's relay keeps for the check after another node dies: the scopes its connections follow, with the highest
/// sequence number they were given, and nothing for a scope once its last connection has gone.
/// </summary>
public sealed class DeltaRelayTests
{
    // The bookkeeping touches no hub: the hub contexts are only used to send deltas.
    private static DeltaRelay Relay() => new(null!, null!);

    [Fact]
    public void A_followed_scope_is_checked_from_the_highest_number_any_of_its_connections_was_given()
    {
        var relay = Relay();
        relay.Following("district", "c1", 1_000);
        relay.Following("district", "c2", 1_004);
        relay.Following("district", "c3", 900); // a resync that answered an older number does not lower it
        relay.Following("area:xinhua", "c1", 50);

        Assert.Equal([("area:xinhua", 50L), ("district", 1_004L)], relay.Followed().OrderBy(f => f.Scope, StringComparer.Ordinal));
    }

    [Fact]
    public void A_scope_whose_connections_all_closed_or_left_is_not_checked()
    {
        var relay = Relay();
        relay.Following("district", "c1", 10);
        relay.Following("district", "c2", 10);
        relay.Following("incident:INC-1", "c1", 7);

        relay.Closed("c1");
        Assert.Equal([("district", 10L)], relay.Followed());
        relay.NotFollowing("district", "c2");
        Assert.Empty(relay.Followed());

        relay.Closed("c-never-seen"); // a connection that followed nothing closes without a trace
        relay.NotFollowing("area:none", "c2");
        Assert.Empty(relay.Followed());
    }

    [Fact]
    public void A_scope_no_connection_follows_is_forgotten_once_idle_and_one_followed_never()
    {
        var relay = Relay();
        relay.Following("district", "c1", 10);
        relay.Following("incident:INC-1", "c1", 7);
        relay.Following("incident:INC-2", "c2", 3);
        relay.NotFollowing("incident:INC-1", "c1");
        relay.Closed("c2");
        Assert.Equal(3, relay.Kept);

        Assert.Equal(0, relay.Forget(TimeSpan.FromHours(1))); // not idle long enough
        Assert.Equal(3, relay.Kept);
        Assert.Equal(2, relay.Forget(TimeSpan.Zero));
        Assert.Equal(1, relay.Kept); // district: c1 still follows it
        Assert.Equal([("district", 10L)], relay.Followed());

        // Followed again after being forgotten: it is checked from the number the new connection was given.
        relay.Following("incident:INC-1", "c3", 9);
        Assert.Equal([("district", 10L), ("incident:INC-1", 9L)], relay.Followed().OrderBy(f => f.Scope, StringComparer.Ordinal));
    }

    /// <summary>A console whose group send never completes (a client that stopped reading its socket).</summary>
    private sealed class StuckHub : IHubContext<DispatchHub, IDispatchHubClient>
    {
        public readonly StuckClients Sends = new();
        public IHubClients<IDispatchHubClient> Clients => Sends;
        public IGroupManager Groups => throw new NotSupportedException();
    }

    private sealed class StuckClients : IHubClients<IDispatchHubClient>, IDispatchHubClient
    {
        public readonly List<long> Started = [];
        public readonly TaskCompletionSource Stuck = new(TaskCreationOptions.RunContinuationsAsynchronously);
        /// <summary>Whether sends complete at once (a console reading its socket) instead of never.</summary>
        public bool Completes;
        public IDispatchHubClient All => this;
        public IDispatchHubClient AllExcept(IReadOnlyList<string> excludedConnectionIds) => this;
        public IDispatchHubClient Client(string connectionId) => this;
        public IDispatchHubClient Clients(IReadOnlyList<string> connectionIds) => this;
        public IDispatchHubClient Group(string groupName) => this;
        public IDispatchHubClient GroupExcept(string groupName, IReadOnlyList<string> excludedConnectionIds) => this;
        public IDispatchHubClient Groups(IReadOnlyList<string> groupNames) => this;
        public IDispatchHubClient User(string userId) => this;
        public IDispatchHubClient Users(IReadOnlyList<string> userIds) => this;

        public Task Delta(IReadOnlyList<Delta> deltas)
        {
            lock (Started) Started.AddRange(deltas.Select(d => d.Seq));
            return Completes ? Task.CompletedTask : Stuck.Task;
        }
    }

    private static Delta At(long seq) => new() { Scope = "district", Seq = seq, Kind = DeltaKinds.Team, Id = "D01", Data = null };

    [Fact]
    public async Task A_send_that_does_not_finish_holds_up_no_later_batch_of_the_scope()
    {
        // Until the thirtieth session the relay awaited each group send under the scope's gate: one console that stopped
        // reading froze the scope for every console on the node (about 10 s each time, in the security test).
        var hub = new StuckHub();
        var relay = new DeltaRelay(hub, null!);
        var first = relay.OnDeltas("district", [At(1), At(2)]);
        var second = relay.OnDeltas("district", [At(3)]);
        var both = Task.WhenAll(first, second);
        Assert.Same(both, await Task.WhenAny(both, Task.Delay(TimeSpan.FromSeconds(10))));
        // In order, each number once: a batch repeated or older is still skipped.
        await relay.OnDeltas("district", [At(2), At(3)]);
        Assert.Equal([1L, 2L, 3L], hub.Sends.Started);
        hub.Sends.Stuck.SetException(new IOException("connection aborted")); // observed, not thrown
    }

    [Fact]
    public async Task A_batch_that_comes_before_an_earlier_one_waits_for_it_and_both_go_out_in_order()
    {
        // One-way calls from a scope to a relay are not always delivered in order: the relay sent the later batch and dropped
        // the earlier one as already passed, and its consoles resynced (a verifying test, thirtieth session).
        var hub = new StuckHub();
        hub.Sends.Completes = true;
        var relay = new DeltaRelay(hub, null!);
        await relay.OnDeltas("district", [At(1), At(2)]);
        await relay.OnDeltas("district", [At(5), At(6)]); // 3 and 4 are still on their way
        await relay.OnDeltas("district", [At(7)]);
        Assert.Equal([1L, 2L], hub.Sends.Started);
        await relay.OnDeltas("district", [At(3), At(4)]);
        Assert.Equal([1L, 2L, 3L, 4L, 5L, 6L, 7L], hub.Sends.Started);
        await Task.Delay(DeltaRelay.HoldFor * 3); // the hold's release finds nothing left to send
        Assert.Equal([1L, 2L, 3L, 4L, 5L, 6L, 7L], hub.Sends.Started);
    }

    [Fact]
    public async Task A_gap_that_stays_open_is_sent_after_the_hold_in_order()
    {
        var hub = new StuckHub();
        hub.Sends.Completes = true;
        var relay = new DeltaRelay(hub, null!);
        await relay.OnDeltas("district", [At(1)]);
        await relay.OnDeltas("district", [At(4)]);
        await relay.OnDeltas("district", [At(3)]);
        Assert.Equal([1L], hub.Sends.Started);
        for (var i = 0; i < 100 && hub.Sends.Started.Count < 3; i++) await Task.Delay(20);
        Assert.Equal([1L, 3L, 4L], hub.Sends.Started); // 2 never came: the consoles see the gap and resync
        await relay.OnDeltas("district", [At(2)]); // too late: passed, as before
        await relay.OnDeltas("district", [At(5)]);
        Assert.Equal([1L, 3L, 4L, 5L], hub.Sends.Started);
    }
}
