using HuaduDispatch.Contracts;

namespace HuaduDispatch.Grains.Teams;

[GenerateSerializer, Alias("huadu.RescueTeamState")]
public sealed class RescueTeamState
{
    [Id(0)] public RescueTeamDefinition? Definition { get; set; }
    [Id(1)] public TeamStatus Status { get; set; }
    [Id(2)] public DateTimeOffset StatusChangedAt { get; set; }
    [Id(3)] public TeamPosition? Position { get; set; }
}

public sealed class RescueTeamGrain(
    [PersistentState("team", StorageNames.Dispatch)] IPersistentState<RescueTeamState> state,
    TimeProvider clock) : Grain, IRescueTeamGrain
{
    /// <summary>
    /// The ADO.NET storage provider maps string keys that read as hex numbers ("D01", "d01", "0D01") to one row; only the
    /// activation whose key is the team's own id may see or change that row.
    /// </summary>
    private bool IsThisTeam(RescueTeamDefinition? d) => d is not null && d.Id == this.GetPrimaryKeyString();

    public async Task ApplyDefinition(RescueTeamDefinition definition)
    {
        if (definition.Id != this.GetPrimaryKeyString())
            throw new ArgumentException($"definition of team '{definition.Id}' sent to grain '{this.GetPrimaryKeyString()}'");
        if (state.State.Definition is null)
        {
            // A new team starts available at its home base.
            var now = clock.GetUtcNow();
            state.State.Status = TeamStatus.Available;
            state.State.StatusChangedAt = now;
            state.State.Position = new TeamPosition { Lat = definition.HomeBase.Lat, Lon = definition.HomeBase.Lon, At = now };
        }
        state.State.Definition = definition;
        await state.WriteStateAsync();
    }

    public Task<RescueTeam?> Get()
    {
        var s = state.State;
        if (s.Definition is not { } d || !IsThisTeam(d) || s.Position is null) return Task.FromResult<RescueTeam?>(null);
        return Task.FromResult<RescueTeam?>(new RescueTeam
        {
            Id = d.Id,
            NameZh = d.NameZh,
            NameEn = d.NameEn,
            Level = d.Level,
            AreaId = d.AreaId,
            Capabilities = d.Capabilities,
            Members = d.Members,
            HomeBase = d.HomeBase,
            Note = d.Note,
            Status = s.Status,
            StatusChangedAt = s.StatusChangedAt,
            Position = s.Position,
        });
    }
}
