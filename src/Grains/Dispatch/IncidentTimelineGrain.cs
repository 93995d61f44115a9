using HuaduDispatch.Contracts;

namespace HuaduDispatch.Grains.Dispatch;

[GenerateSerializer, Alias("huadu.IncidentTimelineState")]
public sealed class IncidentTimelineState
{
    [Id(0)] public List<TimelineEntry> Entries { get; set; } = [];
    /// <summary>The highest incident number appended (see <see cref="IncidentTimelineGrain.Append"/>).</summary>
    [Id(1)] public long IncidentThrough { get; set; }
}

/// <summary>Append-only: entries get the next sequence number and are never changed or removed.</summary>
public sealed class IncidentTimelineGrain(
    [PersistentState("timeline", StorageNames.Dispatch)] IPersistentState<IncidentTimelineState> state) : Grain, IIncidentTimelineGrain
{
    /// <summary>
    /// Appends entries with the next sequence numbers. An entry sent with a <see cref="TimelineEntry.Seq"/> above 0 carries the
    /// incident's own number for it: one this timeline has appended already (a resend after a failure) is dropped. Entries sent
    /// with 0 (team reports) are always appended.
    /// </summary>
    public async Task Append(IReadOnlyList<TimelineEntry> entries)
    {
        // Entries of the incident carry its numbers; an entry from another incident (the merge note) carries none, and one the
        // same as an entry held (its time, kind and text) is a retry after a failure (a verifier saw the note twice after a kill).
        var fresh = entries.Where(e => e.Seq > state.State.IncidentThrough
            || (e.Seq <= 0 && !state.State.Entries.Any(x => x.At == e.At && x.Kind == e.Kind && x.Summary == e.Summary))).ToList();
        if (fresh.Count == 0) return;
        var next = state.State.Entries.Count == 0 ? 1 : state.State.Entries[^1].Seq + 1;
        foreach (var e in fresh)
        {
            state.State.IncidentThrough = Math.Max(state.State.IncidentThrough, e.Seq);
            state.State.Entries.Add(e with { Seq = next++ });
        }
        await state.WriteOrRestartAsync(this);
    }

    public Task<IReadOnlyList<TimelineEntry>> Get() => Task.FromResult<IReadOnlyList<TimelineEntry>>(state.State.Entries);
}
