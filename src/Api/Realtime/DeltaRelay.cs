using System.Collections.Concurrent;
using HuaduDispatch.Contracts;
using Microsoft.AspNetCore.SignalR;

namespace HuaduDispatch.Api.Realtime;

/// <summary>
/// This silo's relay (registered with the relay registry grain as an observer): forwards each scope's batches to the SignalR
/// group of that scope on this node, one batch at a time per scope, never sending a sequence number twice or going backwards
/// (a client that sees a gap resyncs).
/// </summary>
public sealed class DeltaRelay(IHubContext<DispatchHub, IDispatchHubClient> consoles, IHubContext<FieldHub, IDispatchHubClient> field) : IDeltaRelay
{
    private sealed class ScopeOrder
    {
        public readonly SemaphoreSlim Gate = new(1, 1);
        public long LastSent;
    }

    private readonly ConcurrentDictionary<string, ScopeOrder> _scopes = new(StringComparer.Ordinal);

    /// <summary>This relay as a grain observer reference (set once when the silo registers it); hubs hand it to the scopes they subscribe to.</summary>
    public IDeltaRelay? Reference { get; set; }

    public async Task OnDeltas(string scope, IReadOnlyList<Delta> deltas)
    {
        var order = _scopes.GetOrAdd(scope, _ => new ScopeOrder());
        await order.Gate.WaitAsync();
        try
        {
            var fresh = deltas.Where(d => d.Seq > order.LastSent).ToList();
            if (fresh.Count == 0) return;
            order.LastSent = fresh[^1].Seq;
            var clients = scope.StartsWith("team:", StringComparison.Ordinal) ? field.Clients : consoles.Clients;
            await clients.Group(scope).Delta(fresh);
        }
        finally
        {
            order.Gate.Release();
        }
    }
}
