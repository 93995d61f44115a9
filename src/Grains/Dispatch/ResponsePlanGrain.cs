using HuaduDispatch.Contracts;

namespace HuaduDispatch.Grains.Dispatch;

[GenerateSerializer, Alias("huadu.ResponsePlanState")]
public sealed class ResponsePlanState
{
    /// <summary>Null until an admin replaces the shipped plans.</summary>
    [Id(0)] public List<ResponsePlanEntry>? Entries { get; set; }
    [Id(1)] public string? ReplacedBy { get; set; }
    [Id(2)] public DateTimeOffset? ReplacedAt { get; set; }
    /// <summary>0 for the shipped set; each replacement adds one (state stored before the thirty-first session starts at 0).</summary>
    [Id(3)] public int Version { get; set; }
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

    public Task<ResponsePlanSet> GetVersioned() => Task.FromResult(Set());

    private ResponsePlanSet Set() => new() { Entries = _catalogue.Entries, Version = state.State.Version };

    public async Task<ResponsePlanSet> Replace(IReadOnlyList<ResponsePlanEntry> entries, Actor actor, IReadOnlyList<int>? ifVersions)
    {
        if (ifVersions is { } expected && !expected.Contains(state.State.Version))
        {
            var inForce = $"version {state.State.Version} is in force (by {state.State.ReplacedBy ?? "the shipped data"}" +
                $"{(state.State.ReplacedAt is { } at ? $" at {at:yyyy-MM-dd HH:mm:ss}Z" : "")})";
            throw DomainException.PreconditionFailed((expected.Count == 0
                    ? $"If-Match names no version of the response plans (a version is the ETag a GET answered, \"{state.State.Version}\"): {inForce}"
                    : $"the response plans were replaced since version {string.Join(" or ", expected)} was read: {inForce}") +
                "; read them again (GET /api/v1/response-plans), apply your change to them and send them with the new ETag in If-Match");
        }
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
        state.State.Version++;
        await state.WriteOrRestartAsync(this);
        _catalogue = catalogue;
        return Set();
    }

    public Task<IReadOnlyList<ModuleRequirement>> ModulesFor(IncidentType type, ResponseLevel level) =>
        Task.FromResult(_catalogue.ModulesFor(type, level));
}
