using HuaduDispatch.Contracts;

namespace HuaduDispatch.Grains.Dispatch;

[GenerateSerializer, Alias("huadu.ExternalIdState")]
public sealed class ExternalIdState
{
    [Id(0)] public string? IncidentId { get; set; }
}

/// <summary>One reporter's external id: bound once, durably, to the incident created for it.</summary>
public sealed class ExternalIdGrain(
    [PersistentState("external-id", StorageNames.Dispatch)] IPersistentState<ExternalIdState> state) : Grain, IExternalIdGrain
{
    public async Task<string> Claim(string incidentId)
    {
        if (state.State.IncidentId is { } bound) return bound;
        state.State.IncidentId = incidentId;
        await state.WriteOrRestartAsync(this);
        return incidentId;
    }

    public Task<string?> Get() => Task.FromResult(state.State.IncidentId);
}
