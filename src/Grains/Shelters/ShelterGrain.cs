using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Realtime;

namespace HuaduDispatch.Grains.Shelters;

[GenerateSerializer, Alias("huadu.ShelterState")]
public sealed class ShelterState
{
    [Id(0)] public Shelter? Definition { get; set; }
    [Id(1)] public int Occupancy { get; set; }
    [Id(2)] public bool Open { get; set; }
    [Id(3)] public DateTimeOffset UpdatedAt { get; set; }
    [Id(4)] public Dictionary<string, int> Admitted { get; set; } = new(StringComparer.Ordinal);
    /// <summary>A dispatcher closed it (damaged, unsafe, needed for something else): placements pass it by until one opens it.</summary>
    [Id(5)] public bool ClosedByDispatcher { get; set; }
    /// <summary>The last note sent with an occupancy report.</summary>
    [Id(6)] public ShelterNote? LastNote { get; set; }
    /// <summary>
    /// The incidents whose places a closure dropped and whose reliefs have not yet confirmed hearing of it
    /// (<see cref="IReliefDemandGrain.ShelterClosed"/>, confirmed by <see cref="ShelterGrain.ClosureNoted"/>): written with the
    /// closure; the closure-notices reminder tells them again until each confirms.
    /// </summary>
    [Id(7)] public List<string> OwedClosures { get; set; } = [];
}

/// <summary>
/// One shelter: occupancy and open/closed. Shelters open when people are sent to them (they open during rainstorms), unless a
/// dispatcher closed them.
/// </summary>
public sealed class ShelterGrain(
    [PersistentState("shelter", StorageNames.Dispatch)] IPersistentState<ShelterState> state,
    TimeProvider clock) : Grain, IShelterGrain, IRemindable
{
    private const string ClosureNotices = "closure-notices";

    private ShelterState S => state.State;
    private bool Exists => S.Definition is { } d && d.Id == this.GetPrimaryKeyString();

    /// <summary>1 m² per person (人均避难面积 1m²): the capacity never exceeds the floor area.</summary>
    public static int CapacityOf(Shelter s) => Math.Min(s.Capacity, (int)Math.Floor(s.FloorAreaM2));

    public async Task ApplyDefinition(Shelter definition)
    {
        if (definition.Id != this.GetPrimaryKeyString()) throw new ArgumentException($"definition of shelter '{definition.Id}' sent to grain '{this.GetPrimaryKeyString()}'");
        if (S.Definition is null) S.UpdatedAt = clock.GetUtcNow();
        S.Definition = definition;
        await state.WriteOrRestartAsync(this);
    }

    public Task<ShelterLive?> Get() => Task.FromResult(Exists ? View() : null);

    public async Task<ShelterLive> SetOccupancy(ShelterOccupancyRequest request, Actor actor)
    {
        if (!Exists) throw DomainException.NotFound($"no shelter has the id '{this.GetPrimaryKeyString()}'");
        var change = ShelterOccupancyRules.Check(request, CapacityOf(S.Definition!), S.Occupancy, S.Open, S.ClosedByDispatcher);
        // People went home, or a dispatcher opened again a shelter closed by hand: relocated people still without a place
        // (ShelterShort) may now have one here (the coordinator is told one-way).
        var room = change.Occupancy < S.Occupancy || (S.ClosedByDispatcher && request.Open == true);
        S.Occupancy = change.Occupancy;
        S.Open = change.Open;
        if (request.Open is { } said) S.ClosedByDispatcher = !said;
        if (change.Note is { } note) S.LastNote = new ShelterNote { Text = note, By = actor.Subject, At = clock.GetUtcNow() };
        // Closed: it holds nobody, so no incident has places here any more; their reliefs are told after the write.
        List<string> released = S.Open ? [] : [.. S.Admitted.Keys.Order(StringComparer.Ordinal)];
        if (!S.Open) S.Admitted.Clear();
        if (released.Count > 0)
        {
            // Kept with the closure until told: until the thirty-second session a node's death right after the write left the
            // reliefs listing the closed shelter for their people, with nothing to repair it (the typhoon-night tester's F6).
            S.OwedClosures = [.. S.OwedClosures.Union(released, StringComparer.Ordinal)];
            await this.RegisterOrUpdateReminder(ClosureNotices, ClosureNoticesDue, TimeSpan.FromMinutes(1));
        }
        await Changed();
        await TellClosures();
        if (room) await GrainFactory.Grain<IReliefCoordinatorGrain>(ReliefCoordinator.GrainKey).ShelterRoom();
        return View();
    }

    /// <summary>When a closure's notices not yet confirmed are sent again (then every minute).</summary>
    private static readonly TimeSpan ClosureNoticesDue = TimeSpan.FromSeconds(10);

    /// <summary>Tells the reliefs a closure dropped and that have not confirmed it (one-way: a relief may be calling this shelter).</summary>
    private async Task TellClosures()
    {
        foreach (var incidentId in S.OwedClosures) await GrainFactory.Grain<IReliefDemandGrain>(incidentId).ShelterClosed(this.GetPrimaryKeyString());
    }

    public async Task ClosureNoted(string incidentId)
    {
        if (!S.OwedClosures.Remove(incidentId)) return;
        await state.WriteOrRestartAsync(this);
        if (S.OwedClosures.Count == 0 && await this.GetReminder(ClosureNotices) is { } reminder) await this.UnregisterReminder(reminder);
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != ClosureNotices) return;
        if (S.OwedClosures.Count > 0) await TellClosures();
        else if (await this.GetReminder(ClosureNotices) is { } reminder) await this.UnregisterReminder(reminder);
    }

    public async Task<int> Admit(string incidentId, int people, Actor actor)
    {
        if (!Exists) throw DomainException.NotFound($"no shelter has the id '{this.GetPrimaryKeyString()}'");
        // Closed by a dispatcher: nobody is sent here (it holds nobody: a shelter with people cannot close), and the incident
        // keeps no entry here, as its relief no longer lists the shelter.
        if (S.ClosedByDispatcher)
        {
            if (S.Admitted.Remove(incidentId)) await Changed();
            return 0;
        }
        var before = S.Admitted.GetValueOrDefault(incidentId);
        var (take, occupancy) = ShelterOccupancyRules.Admit(CapacityOf(S.Definition!), S.Occupancy, S.Admitted, incidentId, people);
        if (take == before && (take == 0 || S.Open)) return take;
        if (take > 0) S.Admitted[incidentId] = take;
        else S.Admitted.Remove(incidentId); // none of them here any more: no "incident: 0" left behind
        S.Occupancy = occupancy;
        if (take > 0) S.Open = true;
        await Changed();
        // An incident's figure went down or its relief was withdrawn: the places it gave up may house others still without one
        // (one-way, as for a head count that goes down), also when the head count does not move (they had gone home already).
        if (take < before) await GrainFactory.Grain<IReliefCoordinatorGrain>(ReliefCoordinator.GrainKey).ShelterRoom();
        return take;
    }

    public async Task<int> Transfer(string from, string to, Actor actor)
    {
        if (!Exists) throw DomainException.NotFound($"no shelter has the id '{this.GetPrimaryKeyString()}'");
        // The people stay where they are: the places only change hands, in one write (a retry finds none left to move).
        if (!S.Admitted.Remove(from, out var places)) return S.Admitted.GetValueOrDefault(to);
        S.Admitted[to] = S.Admitted.GetValueOrDefault(to) + places;
        await Changed();
        return S.Admitted[to];
    }

    /// <summary>Writes the state (a failed write restarts the activation) and pushes the shelter.</summary>
    private async Task Changed()
    {
        S.UpdatedAt = clock.GetUtcNow();
        await state.WriteOrRestartAsync(this);
        var view = View();
        Publish.To(GrainFactory, [Scopes.District, Scopes.Area(view.AreaId)], [new EntityChange { Kind = DeltaKinds.Shelter, Id = view.Id, Data = view }]);
    }

    private ShelterLive View()
    {
        var d = S.Definition!;
        return new ShelterLive
        {
            Id = d.Id, NameZh = d.NameZh, NameEn = d.NameEn, Kind = d.Kind, AreaId = d.AreaId, Position = d.Position,
            Capacity = CapacityOf(d), FloorAreaM2 = d.FloorAreaM2, Occupancy = S.Occupancy, Open = S.Open, UpdatedAt = S.UpdatedAt,
            Admitted = new Dictionary<string, int>(S.Admitted), LastNote = S.LastNote, ClosedByDispatcher = S.ClosedByDispatcher,
        };
    }
}
