using System.Collections.Concurrent;
using HuaduDispatch.Contracts;

namespace HuaduDispatch.UnitTests.Realtime;

/// <summary>
/// A scope grain whose relay lookup fails keeps its batch and sends it once the registry answers again; a relay the registry
/// lists only after a batch went out (a registry activation recreated after a silo left) gets that batch too.
/// </summary>
[Collection(FaultClusterFixture.Collection)]
public sealed class ScopeFlushTests(FaultClusterFixture fixture) : IClassFixture<FaultClusterFixture>
{
    /// <summary>A relay keeping the deltas of one scope (the registry is shared by the tests of the class, and so are its relays).</summary>
    private sealed class Relay(string? scope = null) : IDeltaRelay
    {
        public readonly ConcurrentQueue<Delta> Received = new();

        public Task OnDeltas(string scope1, IReadOnlyList<Delta> deltas)
        {
            if (scope is null || scope1 == scope)
                foreach (var d in deltas) Received.Enqueue(d);
            return Task.CompletedTask;
        }
    }

    private static EntityChange Change(string id) => new() { Kind = DeltaKinds.Incident, Id = id, Data = new Dictionary<string, string> { ["id"] = id } };

    [Fact]
    public async Task A_batch_whose_relay_lookup_failed_is_sent_when_the_registry_answers_again_without_another_change()
    {
        var grains = fixture.Cluster.Client;
        var relay = new Relay("area:flush-test");
        var reference = grains.CreateObjectReference<IDeltaRelay>(relay);
        await grains.GetGrain<IRelayRegistryGrain>(0).Register("flush-test-relay", reference);
        var scope = grains.GetGrain<IScopeGrain>("area:flush-test");

        FaultClusterFixture.FailRelayLookup = true;
        try
        {
            await scope.Publish([Change("INC-F1")]);
            await Task.Delay(300); // dozens of coalescing windows, each failing to find the relays
            Assert.Empty(relay.Received);
        }
        finally
        {
            FaultClusterFixture.FailRelayLookup = false;
        }

        // Nothing else is published: the kept batch goes out by itself.
        await Until(() => relay.Received.Count >= 1);
        await scope.Publish([Change("INC-F2")]);
        await Until(() => relay.Received.Count >= 2);

        var deltas = relay.Received.ToArray();
        Assert.Equal(["INC-F1", "INC-F2"], deltas.Select(d => d.Id));
        Assert.Equal(deltas[0].Seq + 1, deltas[1].Seq);
        // The failed lookups were logged once, without a stack, not twice with one per window (about 6,000 lines on one node
        // of a cluster test while a dead node held the registry, until the thirtieth session).
        var warnings = FaultClusterFixture.Logs.Entries.Where(e => e.Message.Contains("area:flush-test")).ToList();
        Assert.Single(warnings, e => e.Category.EndsWith("ScopeGrain", StringComparison.Ordinal) && e.Message.Contains("could not be read"));
        Assert.DoesNotContain(warnings, e => e.Message.Contains("injected: the relay registry cannot be read") && e.Message.Contains("   at "));
    }

    [Fact]
    public async Task The_registry_says_its_list_is_complete_only_when_every_active_silo_has_a_relay_in_it()
    {
        var grains = fixture.Cluster.Client;
        var registry = grains.GetGrain<IRelayRegistryGrain>(0);
        var silos = (await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true)).Keys.Select(s => s.ToParsableString()).ToList();
        Assert.NotEmpty(silos);
        var relay = grains.CreateObjectReference<IDeltaRelay>(new Relay());
        try
        {
            Assert.False((await registry.GetRelayList()).Complete);
            foreach (var silo in silos.Skip(1)) await registry.Register(silo, relay);
            Assert.False((await registry.GetRelayList()).Complete);
            await registry.Register(silos[0], relay);
            Assert.True((await registry.GetRelayList()).Complete);
        }
        finally
        {
            foreach (var silo in silos) await registry.Unregister(silo);
        }
    }

    [Fact]
    public async Task A_relay_the_registry_lists_only_after_a_batch_went_out_gets_that_batch_without_another_change()
    {
        var grains = fixture.Cluster.Client;
        var scope = grains.GetGrain<IScopeGrain>("area:catch-up-test");
        await scope.Publish([Change("INC-C1")]);
        await Task.Delay(300); // flushed, to the relays listed then; this cluster's silos have none, so the list is not complete

        var late = new Relay("area:catch-up-test");
        await grains.GetGrain<IRelayRegistryGrain>(0).Register("catch-up-test-relay", grains.CreateObjectReference<IDeltaRelay>(late));
        try
        {
            // Nothing else is published: the scope looks at the list again by itself and sends the new relay what it missed.
            await Until(() => late.Received.Any(d => d.Scope == "area:catch-up-test"));
            await scope.Publish([Change("INC-C2")]);
            await Until(() => late.Received.Count(d => d.Scope == "area:catch-up-test") >= 2);
            var deltas = late.Received.Where(d => d.Scope == "area:catch-up-test").ToArray();
            Assert.Equal(["INC-C1", "INC-C2"], deltas.Select(d => d.Id));
            Assert.Equal(deltas[0].Seq + 1, deltas[1].Seq);
        }
        finally
        {
            await grains.GetGrain<IRelayRegistryGrain>(0).Unregister("catch-up-test-relay");
        }
    }

    [Fact]
    public async Task A_check_from_before_the_scope_started_sends_every_relay_one_scope_delta_and_a_current_check_sends_what_was_missed()
    {
        var grains = fixture.Cluster.Client;
        var (listed, asking) = (new Relay("area:check-test"), new Relay("area:check-test"));
        await grains.GetGrain<IRelayRegistryGrain>(0).Register("check-test-listed", grains.CreateObjectReference<IDeltaRelay>(listed));
        var askingRef = grains.CreateObjectReference<IDeltaRelay>(asking);
        try
        {
            var scope = grains.GetGrain<IScopeGrain>("area:check-test");
            await scope.Publish([Change("INC-C1")]);
            await Until(() => listed.Received.Count >= 1);
            var first = listed.Received.Single();

            // A relay whose consoles were last given a number from an earlier activation (its node died, with whatever had been
            // published to it and not yet sent): every relay gets one "scope" delta, next in sequence, and a second such check
            // sends no other.
            await scope.Check(first.Seq - 1_000_000, askingRef);
            await Until(() => listed.Received.Count >= 2 && asking.Received.Any(d => d.Kind == DeltaKinds.Scope));
            var marker = listed.Received.Last();
            Assert.Equal((DeltaKinds.Scope, "area:check-test", first.Seq + 1), (marker.Kind, marker.Id, marker.Seq));
            Assert.Equal("area:check-test", Assert.IsType<ScopeRestart>(marker.Data).Scope);
            await scope.Check(first.Seq - 1_000_000, askingRef);
            await Task.Delay(200);
            Assert.Single(listed.Received, d => d.Kind == DeltaKinds.Scope);

            // A relay that was given up to INC-C1's number gets what was flushed after it (and, new to the scope, its recent
            // deltas, which clients skip by number), and nothing is added to the scope.
            var fresh = new Relay("area:check-test");
            await scope.Check(first.Seq, grains.CreateObjectReference<IDeltaRelay>(fresh));
            await Until(() => fresh.Received.Any(d => d.Seq == marker.Seq));
            await scope.Publish([Change("INC-C2")]);
            await Until(() => listed.Received.Any(d => d.Id == "INC-C2"));
            Assert.Equal(marker.Seq + 1, listed.Received.Single(d => d.Id == "INC-C2").Seq);
        }
        finally
        {
            await grains.GetGrain<IRelayRegistryGrain>(0).Unregister("check-test-listed");
        }
    }

    private static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the relay did not receive the batch within 10 s");
            await Task.Delay(20);
        }
    }
}
