using HuaduDispatch.Contracts;

namespace HuaduDispatch.Grains.Dispatch;

[GenerateSerializer, Alias("huadu.AreaBoardState")]
public sealed class AreaBoardState
{
    [Id(0)] public Dictionary<string, IncidentSummary> Incidents { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>The incidents of one area as summaries; incidents push every change here (newer versions only).</summary>
public sealed class AreaBoardGrain(
    [PersistentState("board", StorageNames.Dispatch)] IPersistentState<AreaBoardState> state) : Grain, IAreaBoardGrain
{
    public async Task Upsert(IncidentSummary summary)
    {
        if (state.State.Incidents.TryGetValue(summary.Id, out var current) && current.Version >= summary.Version) return;
        state.State.Incidents[summary.Id] = summary;
        await state.WriteOrRestartAsync(this);
    }

    public Task<IReadOnlyList<IncidentSummary>> Query(IncidentFilter filter) => Task.FromResult<IReadOnlyList<IncidentSummary>>(
        [.. state.State.Incidents.Values
            .Where(i => filter.Status is null || i.Status == filter.Status)
            .Where(i => filter.Level is null || i.ResponseLevel == filter.Level)
            .Where(i => filter.Type is null || i.Type == filter.Type)
            .OrderByDescending(i => i.OccurredAt)]);
}
