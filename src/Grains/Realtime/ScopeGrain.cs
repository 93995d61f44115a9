using HuaduDispatch.Contracts;
using Microsoft.Extensions.Options;

namespace HuaduDispatch.Grains.Realtime;

/// <summary>
/// One scope's sequencer: numbers the changes (+1 each), keeps the recent ones for Resync, builds snapshots from the grains
/// that own the state, and fans batches out to every silo's relay, coalesced over a few milliseconds.
/// The sequence starts from the activation time in microseconds, so a new activation (after a failover) continues upwards and
/// clients see a gap, resync, and get a snapshot.
/// </summary>
public sealed class ScopeGrain(IOptions<RealtimeOptions> options, TimeProvider clock) : Grain, IScopeGrain
{
    private RealtimeOptions Options => options.Value;
    private DeltaBuffer _buffer = null!;
    private readonly List<Delta> _pending = [];
    private IGrainTimer? _flush;
    private IReadOnlyList<IDeltaRelay> _relays = [];
    private DateTimeOffset _relaysReadAt = DateTimeOffset.MinValue;
    /// <summary>
    /// Relays of silos whose connections subscribed here lately, with when. They get the batches for
    /// <see cref="RelayRegistryGrain.Expiry"/> whether or not the registry lists them: a registry activation that was just
    /// recreated lists only the silos that registered since, and a console must not miss the changes meanwhile.
    /// </summary>
    private readonly Dictionary<IDeltaRelay, DateTimeOffset> _subscriberRelays = [];

    private string Scope => this.GetPrimaryKeyString();

    /// <summary>
    /// The flush runs between the awaits of a snapshot being built (as <see cref="IScopeGrain.Publish"/> does), so a console
    /// subscribing never holds up the deltas of the consoles already live.
    /// </summary>
    private GrainTimerCreationOptions FlushTimer => new(Options.CoalesceWindow, Timeout.InfiniteTimeSpan) { Interleave = true };

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _buffer = new DeltaBuffer(Scope, clock.GetUtcNow().ToUnixTimeMilliseconds() * 1000, Options.ResyncBufferSize, Options.ResyncBufferAge);
        return Task.CompletedTask;
    }

    public Task Publish(IReadOnlyList<EntityChange> changes)
    {
        _pending.AddRange(_buffer.Append(changes, clock.GetUtcNow()));
        _flush ??= this.RegisterGrainTimer(Flush, FlushTimer);
        return Task.CompletedTask;
    }

    private async Task Flush(CancellationToken ct)
    {
        _flush?.Dispose();
        _flush = null;
        if (_pending.Count == 0) return;
        IReadOnlyList<IDeltaRelay> relays;
        try
        {
            relays = await Relays(force: false);
        }
        catch
        {
            // The registry could not be read: keep the batch and try again after another window, rather than drop it.
            _flush ??= this.RegisterGrainTimer(Flush, FlushTimer);
            throw;
        }
        var batch = _pending.ToArray();
        _pending.Clear();
        foreach (var relay in relays) _ = relay.OnDeltas(Scope, batch);
    }

    /// <summary>
    /// Everything in the scope, read from the owning grains, with the sequence number the read started at. Changes keep being
    /// sequenced and flushed while it is read (Publish and the flush interleave here). Every change numbered up to that point was
    /// stored before it was published, so the read sees it; every later one reaches the subscriber as a delta (its connection
    /// joined the group first), even when the read saw it too: deltas carry whole entities and apply in order, so the client
    /// ends at the latest state either way.
    /// </summary>
    public async Task<ScopeSnapshot> Snapshot(IDeltaRelay? subscriberRelay)
    {
        Subscribed(subscriberRelay);
        var seq = _buffer.Seq;
        await Relays(force: true); // a console just subscribed, maybe on a silo that joined since the last read
        var entities = await ScopeSnapshots.Build(GrainFactory, Scope);
        return new ScopeSnapshot { Scope = Scope, Seq = seq, Entities = entities };
    }

    public async Task<ResyncResult> Resync(long afterSeq, IDeltaRelay? subscriberRelay)
    {
        Subscribed(subscriberRelay);
        var missed = _buffer.Since(afterSeq, clock.GetUtcNow());
        if (missed is not null) return new ResyncResult { Scope = Scope, Deltas = missed };
        return new ResyncResult { Scope = Scope, Deltas = [], Snapshot = await Snapshot(subscriberRelay) };
    }

    /// <summary>A connection on the silo of <paramref name="relay"/> subscribed: that silo gets this scope's batches from now on.</summary>
    private void Subscribed(IDeltaRelay? relay)
    {
        if (relay is null) return;
        _subscriberRelays[relay] = clock.GetUtcNow();
        if (!_relays.Contains(relay)) _relays = [.. _relays, relay];
    }

    private async Task<IReadOnlyList<IDeltaRelay>> Relays(bool force)
    {
        var now = clock.GetUtcNow();
        if (force || now - _relaysReadAt > Options.RelayRefresh || _relays.Count == 0)
        {
            var registered = await GrainFactory.GetGrain<IRelayRegistryGrain>(0).GetRelays();
            foreach (var (relay, at) in _subscriberRelays.ToList())
                if (now - at > RelayRegistryGrain.Expiry) _subscriberRelays.Remove(relay);
            _relays = [.. registered.Union(_subscriberRelays.Keys)];
            _relaysReadAt = now;
        }
        return _relays;
    }
}
