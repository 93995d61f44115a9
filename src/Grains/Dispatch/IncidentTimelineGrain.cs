using HuaduDispatch.Contracts;

namespace HuaduDispatch.Grains.Dispatch;

[GenerateSerializer, Alias("huadu.IncidentTimelineState")]
public sealed class IncidentTimelineState
{
    [Id(0)] public List<TimelineEntry> Entries { get; set; } = [];
}

/// <summary>Append-only: entries get the next sequence number and are never changed or removed.</summary>
public sealed class IncidentTimelineGrain(
    [PersistentState("timeline", StorageNames.Dispatch)] IPersistentState<IncidentTimelineState> state) : Grain, IIncidentTimelineGrain
{
    public async Task Append(IReadOnlyList<TimelineEntry> entries)
    {
        if (entries.Count == 0) return;
        var next = state.State.Entries.Count == 0 ? 1 : state.State.Entries[^1].Seq + 1;
        foreach (var e in entries) state.State.Entries.Add(e with { Seq = next++ });
        await state.WriteStateAsync();
    }

    public Task<IReadOnlyList<TimelineEntry>> Get() => Task.FromResult<IReadOnlyList<TimelineEntry>>(state.State.Entries);
}
