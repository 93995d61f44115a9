using System.Collections.Concurrent;
using HuaduDispatch.Contracts;

namespace HuaduDispatch.UnitTests.Realtime;

/// <summary>A scope grain whose relay lookup fails keeps its batch and sends it once the registry answers again.</summary>
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
