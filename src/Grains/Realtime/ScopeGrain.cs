using HuaduDispatch.Contracts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HuaduDispatch.Grains.Realtime;

/// <summary>
/// One scope's sequencer: numbers the changes (+1 each), keeps the recent ones for Resync, builds snapshots from the grains
/// that own the state, and fans batches out to every silo's relay, coalesced over a few milliseconds.
/// The sequence starts from the activation time in microseconds, so a new activation (after a failover) continues upwards and
/// clients see a gap, resync, and get a snapshot.
/// </summary>
public sealed class ScopeGrain(IOptions<RealtimeOptions> options, TimeProvider clock, ILogger<ScopeGrain> logger) : Grain, IScopeGrain
{
    /// <summary>Whether the last flush found the relay registry unreadable (logged once until a flush gets through).</summary>
    private bool _registryUnreadable;
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
    /// <summary>The last sequence number flushed to the relays (later ones are pending).</summary>
    private long _flushedSeq;
    /// <summary>While the registry's list lacks an active silo, it is read again every <see cref="RecheckEvery"/> until then.</summary>
    private IGrainTimer? _recheck;
    private DateTimeOffset _recheckUntil;

    /// <summary>
    /// A relay this scope starts sending to gets the deltas flushed in this window first (at most <see cref="CatchUpMax"/>):
    /// it may be a silo the registry had not listed yet, whose consoles missed them. Relays skip what they already sent.
    /// </summary>
    public static readonly TimeSpan CatchUpWindow = TimeSpan.FromSeconds(30);
    public const int CatchUpMax = 1_000;
    public static readonly TimeSpan RecheckEvery = TimeSpan.FromSeconds(1);
    /// <summary>How soon a flush that could not read the relay registry tries again (each scope tried every 5 ms window before).</summary>
    public static readonly TimeSpan RetryAfterFailure = TimeSpan.FromMilliseconds(250);

    private string Scope => this.GetPrimaryKeyString();

    /// <summary>
    /// The flush runs between the awaits of a snapshot being built (as <see cref="IScopeGrain.Publish"/> does), so a console
    /// subscribing never holds up the deltas of the consoles already live.
    /// </summary>
    private GrainTimerCreationOptions FlushTimer => new(Options.CoalesceWindow, Timeout.InfiniteTimeSpan) { Interleave = true };

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _startedAt = clock.GetUtcNow();
        _buffer = new DeltaBuffer(Scope, _startedAt.ToUnixTimeMilliseconds() * 1000, Options.ResyncBufferSize, Options.ResyncBufferAge);
        _flushedSeq = _buffer.Seq;
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
        IReadOnlyList<IDeltaRelay> added;
        try
        {
            added = await Relays(force: false);
        }
        catch (Exception e)
        {
            // The registry could not be read: keep the batch and try again after another window, rather than drop it. Logged
            // once until a flush gets through: until the thirtieth session the failure was thrown to the timer, and while a dead
            // node held the registry each scope with changes logged two warnings with a stack per window (about 6,000 lines on
            // one node in a cluster test).
            _flush ??= this.RegisterGrainTimer(Flush, new GrainTimerCreationOptions(RetryAfterFailure, Timeout.InfiniteTimeSpan) { Interleave = true });
            if (!_registryUnreadable) logger.LogWarning("Scope {Scope}: the relay registry could not be read ({Error}); the batch is kept and sent again every {Retry} until it can", Scope, e.Message, RetryAfterFailure);
            else logger.LogDebug(e, "Scope {Scope}: the relay registry still could not be read", Scope);
            _registryUnreadable = true;
            return;
        }
        if (_registryUnreadable) logger.LogInformation("Scope {Scope}: the relay registry answers again; the kept batch goes out", Scope);
        _registryUnreadable = false;
        // Flushes interleave: a change published during the await above starts another timer, whose flush can pass the check
        // above and then find the batch taken by this one (or this one find it taken). Nothing left: nothing to send. Before
        // the twenty-eighth session the later one read batch[^1] of an empty batch (IndexOutOfRangeException, seen on a
        // two-node cluster under load).
        if (_pending.Count == 0) return;
        var batch = _pending.ToArray();
        _pending.Clear();
        // Relays new to this scope first get what it flushed lately: the same list for each of them.
        IReadOnlyList<Delta> withCatchUp = added.Count > 0 ? [.. CatchUp(), .. batch] : batch;
        foreach (var relay in _relays) _ = relay.OnDeltas(Scope, added.Contains(relay) ? withCatchUp : batch);
        _flushedSeq = batch[^1].Seq;
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
        foreach (var relay in await Relays(force: true)) SendCatchUp(relay); // a console just subscribed, maybe on a silo that joined since the last read
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

    public async Task Check(long knownSeq, IDeltaRelay relay)
    {
        Subscribed(relay);
        var now = clock.GetUtcNow();
        if (_buffer.Since(knownSeq, now) is { } missed)
        {
            // Flushed ones only: the pending ones go to every relay with the next flush.
            var flushed = missed.Where(d => d.Seq <= _flushedSeq).ToList();
            if (flushed.Count > 0) _ = relay.OnDeltas(Scope, flushed);
            return;
        }
        if (_restartSent) return; // the marker is in the buffer: the relays have it, or get it with the catch-up
        _restartSent = true;
        _pending.AddRange(_buffer.Append([new EntityChange
        {
            Kind = DeltaKinds.Scope, Id = Scope, Data = new ScopeRestart { Scope = Scope, StartedAt = _startedAt },
        }], now));
        foreach (var added in await Relays(force: true)) SendCatchUp(added);
        await Flush(CancellationToken.None);
    }

    /// <summary>Whether this activation has sent its <see cref="DeltaKinds.Scope"/> delta (at most once).</summary>
    private bool _restartSent;
    private DateTimeOffset _startedAt;

    /// <summary>A connection on the silo of <paramref name="relay"/> subscribed: that silo gets this scope's batches from now on.</summary>
    private void Subscribed(IDeltaRelay? relay)
    {
        if (relay is null) return;
        _subscriberRelays[relay] = clock.GetUtcNow();
        if (_relays.Contains(relay)) return;
        _relays = [.. _relays, relay];
        SendCatchUp(relay);
    }

    /// <summary>The deltas already flushed that a relay this scope starts sending to may have missed.</summary>
    private IReadOnlyList<Delta> CatchUp() => _buffer.Recent(_flushedSeq, clock.GetUtcNow() - CatchUpWindow, CatchUpMax);

    private void SendCatchUp(IDeltaRelay relay)
    {
        var missed = CatchUp();
        if (missed.Count > 0) _ = relay.OnDeltas(Scope, missed);
    }

    /// <summary>
    /// Reads the relay list when due (or forced); returns the relays this scope was not sending to before. A read that finds the
    /// list incomplete looks again every second for <see cref="CatchUpWindow"/> from then (the second looks do not extend it).
    /// </summary>
    private async Task<IReadOnlyList<IDeltaRelay>> Relays(bool force, bool recheck = false)
    {
        var now = clock.GetUtcNow();
        if (!force && now - _relaysReadAt <= Options.RelayRefresh && _relays.Count > 0) return [];
        var list = await GrainFactory.GetGrain<IRelayRegistryGrain>(0).GetRelayList();
        foreach (var (relay, at) in _subscriberRelays.ToList())
            if (now - at > RelayRegistryGrain.Expiry) _subscriberRelays.Remove(relay);
        var before = _relays;
        _relays = [.. list.Relays.Union(_subscriberRelays.Keys)];
        _relaysReadAt = now;
        if (list.Complete)
        {
            _recheck?.Dispose();
            _recheck = null;
        }
        else
        {
            // A silo is active but its relay is not listed (a registry activation just recreated): look again until it is.
            if (!recheck) _recheckUntil = now + CatchUpWindow;
            _recheck ??= this.RegisterGrainTimer(Recheck, new GrainTimerCreationOptions(RecheckEvery, RecheckEvery) { Interleave = true });
        }
        return [.. _relays.Except(before)];
    }

    private async Task Recheck(CancellationToken ct)
    {
        if (clock.GetUtcNow() > _recheckUntil)
        {
            _recheck?.Dispose();
            _recheck = null;
            return;
        }
        foreach (var relay in await Relays(force: true, recheck: true)) SendCatchUp(relay);
    }
}
