using HuaduDispatch.Contracts;

namespace HuaduDispatch.Grains.Relief.Grains;

[GenerateSerializer, Alias("huadu.ReliefArchiveState")]
public sealed class ReliefArchiveState
{
    [Id(0)] public Dictionary<string, DateTimeOffset> Incidents { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>One month of the relief coordinator's archive (see <see cref="ReliefArchive"/>); written only by the coordinator.</summary>
public sealed class ReliefArchiveGrain(
    [PersistentState("relief-archive", StorageNames.Dispatch)] IPersistentState<ReliefArchiveState> state) : Grain, IReliefArchiveGrain
{
    public async Task Add(IReadOnlyDictionary<string, DateTimeOffset> incidents)
    {
        var added = false;
        foreach (var (id, deadline) in incidents) added |= state.State.Incidents.TryAdd(id, deadline);
        if (added) await state.WriteOrRestartAsync(this); // not kept when the write fails: the coordinator keeps them and tries again
    }

    public Task<IReadOnlyDictionary<string, DateTimeOffset>> Get() =>
        Task.FromResult<IReadOnlyDictionary<string, DateTimeOffset>>(new Dictionary<string, DateTimeOffset>(state.State.Incidents, StringComparer.Ordinal));
}
