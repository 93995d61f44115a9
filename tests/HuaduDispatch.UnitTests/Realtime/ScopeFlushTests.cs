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
    private sealed class Relay : IDeltaRelay
    {
        public readonly ConcurrentQueue<Delta> Received = new();

        public Task OnDeltas(string scope, IReadOnlyList<Delta> deltas)
        {
            foreach (var d in deltas) Received.Enqueue(d);
            return Task.CompletedTask;
        }
    }

    private static EntityChange Change(string id) => new() { Kind = DeltaKinds.Incident, Id = id, Data = new Dictionary<string, string> { ["id"] = id } };

    [Fact]
    public async Task A_batch_whose_relay_lookup_failed_is_sent_when_the_registry_answers_again_without_another_change()
    {
        var grains = fixture.Cluster.Client;
        var relay = new Relay();
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

        var late = new Relay();
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
