using HuaduDispatch.Api.Realtime;

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
}
