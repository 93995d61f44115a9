using HuaduDispatch.Contracts;

namespace HuaduDispatch.Grains.Realtime;

/// <summary>
/// Sequences a scope's changes (each +1) and keeps the recent ones, bounded in count and age, so a client that missed some
/// can catch up exactly; when they are gone it gets a fresh snapshot instead.
/// </summary>
public sealed class DeltaBuffer(string scope, long startSeq, int capacity, TimeSpan maxAge)
{
    private readonly LinkedList<(Delta Delta, DateTimeOffset At)> _kept = new();

    public long Seq { get; private set; } = startSeq;

    public IReadOnlyList<Delta> Append(IEnumerable<EntityChange> changes, DateTimeOffset now)
    {
        var added = new List<Delta>();
        foreach (var c in changes)
        {
            var delta = new Delta { Scope = scope, Seq = ++Seq, Kind = c.Kind, Id = c.Id, Data = c.Data };
            _kept.AddLast((delta, now));
            added.Add(delta);
        }
        Prune(now);
        return added;
    }

    /// <summary>The deltas after <paramref name="afterSeq"/>, or null when some of them are no longer kept (or the number is unknown).</summary>
    public IReadOnlyList<Delta>? Since(long afterSeq, DateTimeOffset now)
    {
        Prune(now);
        if (afterSeq > Seq) return null;           // from another epoch of this scope
        if (afterSeq == Seq) return [];
        var oldest = _kept.First?.Value.Delta.Seq ?? Seq + 1;
        if (afterSeq + 1 < oldest) return null;    // the missed ones are gone
        return [.. _kept.Select(k => k.Delta).Where(d => d.Seq > afterSeq)];
    }

    /// <summary>
    /// The kept deltas numbered up to <paramref name="upToSeq"/> and appended at or after <paramref name="since"/>: the last
    /// <paramref name="max"/> of them, in order.
    /// </summary>
    public IReadOnlyList<Delta> Recent(long upToSeq, DateTimeOffset since, int max)
    {
        var recent = new List<Delta>();
        for (var node = _kept.Last; node is not null && recent.Count < max && node.Value.At >= since; node = node.Previous)
            if (node.Value.Delta.Seq <= upToSeq) recent.Add(node.Value.Delta);
        recent.Reverse();
        return recent;
    }

    private void Prune(DateTimeOffset now)
    {
        while (_kept.Count > capacity) _kept.RemoveFirst();
        while (_kept.First is { } first && now - first.Value.At > maxAge) _kept.RemoveFirst();
    }
}
