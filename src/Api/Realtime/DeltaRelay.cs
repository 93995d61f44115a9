using System.Collections.Concurrent;
using HuaduDispatch.Contracts;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;

namespace HuaduDispatch.Api.Realtime;

/// <summary>
/// This silo's relay (registered with the relay registry grain as an observer): forwards each scope's batches to the SignalR
/// group of that scope on this node, one batch at a time per scope, never sending a sequence number twice or going backwards
/// (a client that sees a gap resyncs). It also keeps which scopes this node's connections follow, and the last sequence number
/// they were given, so that after a node of the cluster dies it can ask those scopes what they missed (<see cref="CheckScopes"/>).
/// </summary>
public sealed class DeltaRelay(IHubContext<DispatchHub, IDispatchHubClient> consoles, IHubContext<FieldHub, IDispatchHubClient> field) : IDeltaRelay
{
    private sealed class ScopeOrder
    {
        public readonly SemaphoreSlim Gate = new(1, 1);
        public long LastSent;
        /// <summary>The highest sequence number this node's connections were given: a delta sent, or a snapshot's or resync's.</summary>
        public long Known;
        /// <summary>This node's connections following the scope.</summary>
        public readonly ConcurrentDictionary<string, byte> Connections = new(StringComparer.Ordinal);
        /// <summary>Those of <see cref="Connections"/> that are agencies' (an incident's scope only): they read it as partners do.</summary>
        public readonly ConcurrentDictionary<string, byte> Partners = new(StringComparer.Ordinal);
        /// <summary><see cref="Environment.TickCount64"/> when a batch or a connection last came.</summary>
        public long LastUsed = Environment.TickCount64;
        /// <summary>Set (under <see cref="Gate"/>) when <see cref="Forget"/> takes it out: whoever still holds it looks again.</summary>
        public volatile bool Forgotten;
        /// <summary>Batches that came before an earlier one (under <see cref="Gate"/>), by their first sequence number.</summary>
        public readonly SortedList<long, IReadOnlyList<Delta>> Held = [];
        /// <summary>Whether a release of <see cref="Held"/> after <see cref="HoldFor"/> is on its way (under <see cref="Gate"/>).</summary>
        public bool HoldArmed;
    }

    /// <summary>
    /// How long a batch that came before an earlier one waits for it. A scope's one-way calls to a relay are not always delivered
    /// in order (a verifying test saw it on the node holding the scope, under 470 reports a second), and the relay sent the later
    /// batch and then dropped the earlier as already passed: its consoles saw a gap and resynced (until the thirtieth session).
    /// A gap still open after this (a batch lost, a scope started again elsewhere) is sent as it is, and consoles resync.
    /// </summary>
    public static readonly TimeSpan HoldFor = TimeSpan.FromMilliseconds(50);

    private readonly ConcurrentDictionary<string, ScopeOrder> _scopes = new(StringComparer.Ordinal);
    /// <summary>The scopes each connection follows, to forget it when it closes.</summary>
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> _connections = new(StringComparer.Ordinal);

    /// <summary>This relay as a grain observer reference (set once when the silo registers it); hubs hand it to the scopes they subscribe to.</summary>
    public IDeltaRelay? Reference { get; set; }

    /// <summary>
    /// Starts the batch's group send under the scope's gate and returns without waiting for it to finish. SignalR starts each
    /// connection's write in the call, in the order of the calls, and a connection's writes queue in that order behind its write
    /// lock; so one connection that stops reading holds up only itself (until SignalR cuts it), not the scope's other
    /// connections. Until the thirtieth session the send was awaited under the gate, and one such console (any viewer token)
    /// froze a scope's deltas for every console on the node for about 10 s at a time.
    /// </summary>
    public async Task OnDeltas(string scope, IReadOnlyList<Delta> deltas)
    {
        var order = _scopes.GetOrAdd(scope, _ => new ScopeOrder());
        await order.Gate.WaitAsync();
        while (order.Forgotten)
        {
            // Forgotten while this batch waited: the scope's order now is the one in the map (one sender per scope).
            order.Gate.Release();
            order = _scopes.GetOrAdd(scope, _ => new ScopeOrder());
            await order.Gate.WaitAsync();
        }
        try
        {
            order.LastUsed = Environment.TickCount64;
            var fresh = deltas.Where(d => d.Seq > order.LastSent).ToList();
            if (fresh.Count == 0) return;
            if (order.LastSent != 0 && fresh[0].Seq > order.LastSent + 1)
            {
                // An earlier batch may still be on its way: hold this one for it (a scope's batches number their deltas +1 each).
                order.Held[fresh[0].Seq] = fresh;
                if (!order.HoldArmed)
                {
                    order.HoldArmed = true;
                    _ = ReleaseHeld(order, scope);
                }
                return;
            }
            await Send(order, scope, fresh);
            await SendHeld(order, scope, acrossGaps: false); // the batches held for this one follow it, as far as they join on
        }
        finally
        {
            order.Gate.Release();
        }
    }

    /// <summary>After <see cref="HoldFor"/>, sends what is still held, in order, gaps and all (its consoles resync).</summary>
    private async Task ReleaseHeld(ScopeOrder order, string scope)
    {
        await Task.Delay(HoldFor);
        await order.Gate.WaitAsync();
        try
        {
            order.HoldArmed = false;
            await SendHeld(order, scope, acrossGaps: true);
        }
        catch (Exception)
        {
            // A send that failed at once: its connections resync when they connect again.
        }
        finally
        {
            order.Gate.Release();
        }
    }

    /// <summary>
    /// Sends the held batches in order (under the scope's gate), what they hold beyond the last number sent: those that join
    /// on, or with <paramref name="acrossGaps"/> all of them.
    /// </summary>
    private async Task SendHeld(ScopeOrder order, string scope, bool acrossGaps)
    {
        while (order.Held.Count > 0 && (acrossGaps || order.Held.Keys[0] <= order.LastSent + 1))
        {
            var next = order.Held.Values[0].Where(d => d.Seq > order.LastSent).ToList();
            order.Held.RemoveAt(0);
            if (next.Count > 0) await Send(order, scope, next);
        }
    }

    /// <summary>
    /// Starts one batch's group send (under the scope's gate) and notes it sent. When an agency's connection on this node follows
    /// the scope (an incident's), the partner view of the batch goes to the partners' group, numbered the same.
    /// </summary>
    private async Task Send(ScopeOrder order, string scope, List<Delta> fresh)
    {
        order.LastSent = fresh[^1].Seq;
        Raise(ref order.Known, order.LastSent);
        var clients = scope.StartsWith("team:", StringComparison.Ordinal) ? field.Clients : consoles.Clients;
        var send = clients.Group(scope).Delta(fresh);
        if (!send.IsCompleted) _ = Observe(send);
        else await send; // throws as before when the send failed at once
        if (!scope.StartsWith("incident:", StringComparison.Ordinal) || order.Partners.IsEmpty) return;
        var partners = clients.Group(PartnerGroup(scope)).Delta(ForPartner(scope, fresh));
        if (!partners.IsCompleted) _ = Observe(partners);
        else await partners;
    }

    /// <summary>The SignalR group of the agencies' connections following <paramref name="scope"/>.</summary>
    public static string PartnerGroup(string scope) => "partner|" + scope;

    /// <summary>A batch of an incident's scope as partners read it (<see cref="PartnerView"/>); sequence numbers unchanged.</summary>
    public static IReadOnlyList<Delta> ForPartner(string scope, IReadOnlyList<Delta> deltas)
    {
        var incidentId = IncidentOf(scope);
        return [.. deltas.Select(d => d with { Data = PartnerView.Of(d.Kind, d.Data, incidentId) })];
    }

    /// <summary>A snapshot of an incident's scope as partners read it.</summary>
    public static ScopeSnapshot ForPartner(ScopeSnapshot snapshot)
    {
        var incidentId = IncidentOf(snapshot.Scope);
        return snapshot with { Entities = [.. snapshot.Entities.Select(e => e with { Data = PartnerView.Of(e.Kind, e.Data, incidentId) })] };
    }

    /// <summary>A resync of an incident's scope as partners read it.</summary>
    public static ResyncResult ForPartner(ResyncResult result) => result with
    {
        Deltas = ForPartner(result.Scope, result.Deltas),
        Snapshot = result.Snapshot is { } snapshot ? ForPartner(snapshot) : null,
    };

    private static string IncidentOf(string scope) =>
        scope.StartsWith("incident:", StringComparison.Ordinal) ? scope["incident:".Length..] : "";

    /// <summary>Waits for a send left running, so that its failure (a connection cut while it waited) is observed, not thrown.</summary>
    private static async Task Observe(Task send)
    {
        try
        {
            await send;
        }
        catch (Exception)
        {
            // A connection that closed or was cut while its write waited: it resyncs when it connects again.
        }
    }

    /// <summary>
    /// An agency's connection of this node is about to read <paramref name="scope"/>'s snapshot: from now on the partner view
    /// of the scope's batches is sent (a batch sent between its joining the group and <see cref="Following"/> would otherwise
    /// reach it only as a gap).
    /// </summary>
    public void PartnerJoining(string scope, string connectionId)
    {
        _scopes.GetOrAdd(scope, _ => new ScopeOrder()).Partners[connectionId] = 0;
        _connections.GetOrAdd(connectionId, _ => new ConcurrentDictionary<string, byte>(StringComparer.Ordinal))[scope] = 0;
    }

    /// <summary>
    /// A connection of this node follows <paramref name="scope"/>, given everything up to <paramref name="seq"/>; an agency's
    /// (<paramref name="partner"/>) is sent the partner view (<see cref="PartnerGroup"/>).
    /// </summary>
    public void Following(string scope, string connectionId, long seq, bool partner = false)
    {
        var order = _scopes.GetOrAdd(scope, _ => new ScopeOrder());
        if (partner) order.Partners[connectionId] = 0;
        order.Connections[connectionId] = 0;
        while (order.Forgotten)
        {
            // Forget took it out as this connection came (it checks for connections after marking it): follow the new one.
            order.Connections.TryRemove(connectionId, out _);
            order.Partners.TryRemove(connectionId, out _);
            order = _scopes.GetOrAdd(scope, _ => new ScopeOrder());
            if (partner) order.Partners[connectionId] = 0;
            order.Connections[connectionId] = 0;
        }
        order.LastUsed = Environment.TickCount64;
        _connections.GetOrAdd(connectionId, _ => new ConcurrentDictionary<string, byte>(StringComparer.Ordinal))[scope] = 0;
        Raise(ref order.Known, seq);
    }

    private static void Raise(ref long field, long value)
    {
        for (var seen = Interlocked.Read(ref field); value > seen; seen = Interlocked.Read(ref field))
            if (Interlocked.CompareExchange(ref field, value, seen) == seen) return;
    }

    /// <summary>
    /// A connection of this node resynced <paramref name="scope"/> from <paramref name="afterSeq"/>: it has everything up to the
    /// snapshot's number, or the last missed delta's (a resync answers one or the other).
    /// </summary>
    public void Resynced(string scope, string connectionId, ResyncResult result, long afterSeq, bool partner = false) =>
        Following(scope, connectionId, result.Snapshot?.Seq ?? (result.Deltas.Count > 0 ? result.Deltas[^1].Seq : afterSeq), partner);

    /// <summary>A connection of this node no longer follows <paramref name="scope"/>.</summary>
    public void NotFollowing(string scope, string connectionId)
    {
        if (_scopes.TryGetValue(scope, out var order)) Leave(order, connectionId);
        if (_connections.TryGetValue(connectionId, out var scopes)) scopes.TryRemove(scope, out _);
    }

    /// <summary>A connection of this node closed.</summary>
    public void Closed(string connectionId)
    {
        if (!_connections.TryRemove(connectionId, out var scopes)) return;
        foreach (var scope in scopes.Keys)
            if (_scopes.TryGetValue(scope, out var order)) Leave(order, connectionId);
    }

    private static void Leave(ScopeOrder order, string connectionId)
    {
        order.Partners.TryRemove(connectionId, out _);
        order.Connections.TryRemove(connectionId, out _);
    }

    /// <summary>How long a scope no connection of this node follows is kept after its last batch (<see cref="Forget"/>).</summary>
    public static readonly TimeSpan ForgetAfter = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Forgets the scopes no connection of this node follows that had no batch and no connection for <paramref name="idle"/>;
    /// returns how many. Every scope's batches come to every node, so without this a node kept an entry for every incident
    /// the district ever had (until the twenty-ninth session). A scope forgotten and used again starts afresh: it may send a
    /// batch its connections already had, which they skip by its sequence numbers (the resync rule).
    /// </summary>
    public int Forget(TimeSpan idle)
    {
        var forgotten = 0;
        var now = Environment.TickCount64;
        foreach (var (scope, order) in _scopes)
        {
            if (!order.Connections.IsEmpty || !order.Partners.IsEmpty || now - Interlocked.Read(ref order.LastUsed) < (long)idle.TotalMilliseconds || !order.Gate.Wait(0)) continue;
            try
            {
                order.Forgotten = true;
                // A connection that came meanwhile keeps it (Following checks the mark after adding itself).
                if (!order.Connections.IsEmpty)
                {
                    order.Forgotten = false;
                    continue;
                }
                _scopes.TryRemove(new KeyValuePair<string, ScopeOrder>(scope, order));
                forgotten++;
            }
            finally
            {
                order.Gate.Release();
            }
        }
        return forgotten;
    }

    /// <summary>How many scopes this relay keeps an order for (followed here, or with a batch lately).</summary>
    public int Kept => _scopes.Count;

    /// <summary>The scopes this node's connections follow, with the last sequence number they were given.</summary>
    public IReadOnlyList<(string Scope, long Known)> Followed() =>
        [.. _scopes.Where(s => !s.Value.Connections.IsEmpty).Select(s => (s.Key, Interlocked.Read(ref s.Value.Known)))];

    /// <summary>
    /// After a node of the cluster died: asks every scope this node's connections follow for what they missed since the last
    /// sequence number they were given (<see cref="IScopeGrain.Check"/>). A scope whose grain died with the node starts again
    /// elsewhere and sends a <see cref="DeltaKinds.Scope"/> delta, at which the consoles resync: changes published to the dead
    /// activation before the cluster declared its node dead would otherwise reach them only with the scope's next change.
    /// Each scope is tried up to <paramref name="attempts"/> times, 2 s apart by default (the cluster may still route a call to the
    /// dead node's activation for a moment after declaring it dead); returns the scopes that could not be asked.
    /// </summary>
    public async Task<IReadOnlyList<string>> CheckScopes(IGrainFactory grains, ILogger logger, int attempts = 5, TimeSpan? retryAfter = null)
    {
        var failed = new List<string>();
        if (Reference is not { } self) return failed;
        await Task.WhenAll(Followed().Select(async followed =>
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await grains.GetGrain<IScopeGrain>(followed.Scope).Check(followed.Known, self).WaitAsync(TimeSpan.FromSeconds(10));
                    return;
                }
                catch (Exception e) when (attempt < attempts)
                {
                    logger.LogDebug(e, "Checking scope {Scope} after a node died failed (attempt {Attempt}); retrying", followed.Scope, attempt);
                    await Task.Delay(retryAfter ?? TimeSpan.FromSeconds(2));
                }
                catch (Exception e)
                {
                    logger.LogWarning(e, "Checking scope {Scope} after a node died failed {Attempts} times; its consoles catch up at its next change", followed.Scope, attempts);
                    lock (failed) failed.Add(followed.Scope);
                    return;
                }
            }
        }));
        return failed;
    }
}
