using HuaduDispatch.Contracts;

namespace HuaduDispatch.Grains.Dispatch;

[GenerateSerializer, Alias("huadu.ResponsePlanState")]
public sealed class ResponsePlanState
{
    /// <summary>Null until an admin replaces the shipped plans.</summary>
    [Id(0)] public List<ResponsePlanEntry>? Entries { get; set; }
    [Id(1)] public string? ReplacedBy { get; set; }
    [Id(2)] public DateTimeOffset? ReplacedAt { get; set; }
}

/// <summary>The response plans in force: the shipped data file until an admin replaces them (validated whole).</summary>
public sealed class ResponsePlanGrain(
    [PersistentState("response-plans", StorageNames.Dispatch)] IPersistentState<ResponsePlanState> state,
    ResponsePlanCatalogue shipped,
    TimeProvider clock) : Grain, IResponsePlanGrain
{
    private ResponsePlanCatalogue _catalogue = shipped;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.Entries is { } entries) _catalogue = new ResponsePlanCatalogue(entries);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<ResponsePlanEntry>> Get() => Task.FromResult(_catalogue.Entries);

    public async Task<IReadOnlyList<ResponsePlanEntry>> Replace(IReadOnlyList<ResponsePlanEntry> entries, Actor actor)
    {
        ResponsePlanCatalogue catalogue;
        try
        {
            catalogue = new ResponsePlanCatalogue(entries);
        }
        catch (ArgumentException e)
        {
            throw DomainException.Invalid("plans", e.ParamName is { } name ? e.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : e.Message);
        }
        state.State.Entries = [.. entries];
        state.State.ReplacedBy = actor.Subject;
        state.State.ReplacedAt = clock.GetUtcNow();
        await state.WriteOrRestartAsync(this);
        _catalogue = catalogue;
        return _catalogue.Entries;
    }

    public Task<IReadOnlyList<ModuleRequirement>> ModulesFor(IncidentType type, ResponseLevel level) =>
        Task.FromResult(_catalogue.ModulesFor(type, level));
}
