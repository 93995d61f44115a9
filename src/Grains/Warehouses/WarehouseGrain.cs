using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Realtime;
using Microsoft.Extensions.Logging;

namespace HuaduDispatch.Grains.Warehouses;

[GenerateSerializer, Alias("huadu.WarehouseStockEntry")]
public sealed class StockEntry
{
    [Id(0)] public long OnHand { get; set; }
    [Id(1)] public long Reserved { get; set; }
}

[GenerateSerializer, Alias("huadu.WarehouseState")]
public sealed class WarehouseState
{
    [Id(0)] public WarehouseDefinition? Definition { get; set; }
    /// <summary>Live stock by item code. Seeded once from the reference data; afterwards only stock movements change it.</summary>
    [Id(1)] public Dictionary<string, StockEntry> Stock { get; set; } = new(StringComparer.Ordinal);
    /// <summary>The recent movements, in order (append-only): those after <see cref="ArchivedThrough"/>.</summary>
    [Id(2)] public List<StockMovement> Movements { get; set; } = [];
    [Id(3)] public Dictionary<string, HeldReservation> Reservations { get; set; } = new(StringComparer.Ordinal);
    /// <summary>An agreement reserve's activation while it is active.</summary>
    [Id(4)] public ReserveActivation? Activation { get; set; }
    /// <summary>Movements 1 to this seq are in the archive pages (<see cref="IStockMovementArchiveGrain"/>), not here.</summary>
    [Id(5)] public long ArchivedThrough { get; set; }
    /// <summary>Movements recorded in the last 24 hours under a request's Idempotency-Key, by that key (see RecordMovement).</summary>
    [Id(6)] public Dictionary<string, StockMovement> KeyedMovements { get; set; } = new(StringComparer.Ordinal);
}

public sealed class WarehouseGrain(
    [PersistentState("warehouse", StorageNames.Dispatch)] IPersistentState<WarehouseState> state,
    TimeProvider clock,
    ILogger<WarehouseGrain> logger) : Grain, IWarehouseGrain
{
    private bool Exists => state.State.Definition is { } d && d.Id == this.GetPrimaryKeyString();

    private void EnsureExists()
    {
        if (!Exists) throw DomainException.NotFound($"no warehouse has the id '{this.GetPrimaryKeyString()}'");
    }

    public async Task<StockMovement> RecordMovement(StockMovementRequest request, Actor actor, string? requestKey = null)
    {
        EnsureExists();
        // A retry of a request whose movement is booked (its response lost with the node) gets that movement, not a second one.
        var now = clock.GetUtcNow();
        var ledger = new StockLedger(state.State);
        if (ledger.Booked(requestKey) is { } booked) return booked;
        var items = (await GrainFactory.Grain<IReferenceDataGrain>(ReferenceData.GrainKey).GetItems()).Select(i => i.Code).ToHashSet(StringComparer.Ordinal);
        // The ledger checks everything before it changes anything.
        var movement = ledger.Record(request, actor, now, items);
        ledger.Keep(requestKey, movement, now);
        await Changed();
        await ArchiveOlderMovements();
        // More stock may cover a shortfall of the plan in force (the city answering a request, a delivery to the depot): the
        // coordinator plans again if its plan is short of the item (one-way). An agreement reserve joins plans only once activated.
        if (movement.Change > 0 && View() is { } warehouse && ReserveActivationRule.Plannable(warehouse))
            await GrainFactory.Grain<IReliefCoordinatorGrain>(ReliefCoordinator.GrainKey).StockAdded(movement.ItemCode);
        return movement;
    }

    /// <summary>Every movement, oldest first: the archive pages, then the recent ones kept here.</summary>
    public async Task<IReadOnlyList<StockMovement>> GetMovements()
    {
        if (!Exists) return [];
        var archived = state.State.ArchivedThrough;
        var pages = archived == 0 ? [] : await Task.WhenAll(Enumerable.Range(0, (int)IStockMovementArchiveGrain.PageOf(archived) + 1)
            .Select(page => GrainFactory.Grain<IStockMovementArchiveGrain>(IStockMovementArchiveGrain.Key(Key, page)).Get()));
        return [.. pages.SelectMany(p => p).Where(m => m.Seq <= archived), .. state.State.Movements];
    }

    /// <summary>
    /// Moves the movements the ledger no longer keeps here (<see cref="StockLedger.ToArchive"/>) to the archive pages. The
    /// movement that triggered it is already stored, so a failure only postpones the move to the next movement: a failed state
    /// write restarts the activation from the stored state, and a page skips what it already has.
    /// </summary>
    private async Task ArchiveOlderMovements()
    {
        var ledger = new StockLedger(state.State);
        var moving = ledger.ToArchive();
        if (moving.Count == 0) return;
        try
        {
            foreach (var page in moving.GroupBy(m => IStockMovementArchiveGrain.PageOf(m.Seq)))
                await GrainFactory.Grain<IStockMovementArchiveGrain>(IStockMovementArchiveGrain.Key(Key, page.Key)).Append([.. page]);
            ledger.Archived(moving);
            await state.WriteOrRestartAsync(this);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Warehouse {WarehouseId}: older movements not yet moved to the archive pages; tried again with the next movement", Key);
        }
    }

    private string Key => this.GetPrimaryKeyString();

    public async Task<bool> Reserve(string reservationId, IReadOnlyList<ReservationLine> lines, Actor actor)
    {
        EnsureExists();
        var ledger = new StockLedger(state.State);
        var known = state.State.Reservations.ContainsKey(reservationId);
        var held = ledger.Reserve(reservationId, lines);
        if (held && !known)
        {
            ledger.PruneReleased(clock.GetUtcNow()); // written with this change
            await Changed();
        }
        return held;
    }

    public async Task<bool> AmendReservation(string reservationId, IReadOnlyList<ReservationLine> lines, Actor actor)
    {
        EnsureExists();
        if (!new StockLedger(state.State).Amend(reservationId, lines, out var changed)) return false;
        if (changed) await Changed(); // a retry changes nothing
        return true;
    }

    public Task<IReadOnlyList<string>> GetHeldReservations() =>
        Task.FromResult<IReadOnlyList<string>>([.. state.State.Reservations.Where(r => r.Value.Status == "Held").Select(r => r.Key)]);

    public async Task<bool> ReleaseReservation(string reservationId, Actor actor)
    {
        EnsureExists();
        var ledger = new StockLedger(state.State);
        if (ledger.Release(reservationId, clock.GetUtcNow())) await Changed();
        return !ledger.Shipped(reservationId);
    }

    public async Task ShipReservation(string reservationId, Actor actor)
    {
        EnsureExists();
        if (new StockLedger(state.State).Ship(reservationId, actor, clock.GetUtcNow()).Count > 0)
        {
            await Changed();
            await ArchiveOlderMovements();
        }
    }

    public async Task<Warehouse> Activate(ReserveActivationRequest request, Actor actor)
    {
        EnsureExists();
        await SetActivation(ReserveActivationRule.Activate(state.State.Definition!.Kind, state.State.Activation, request, actor, clock.GetUtcNow()));
        return View()!;
    }

    public async Task<Warehouse> Deactivate(Actor actor)
    {
        EnsureExists();
        ReserveActivationRule.Deactivate(state.State.Definition!.Kind, state.State.Activation);
        await SetActivation(null);
        return View()!;
    }

    /// <summary>
    /// Stores the activation (a failed write leaves no half-applied change in memory), pushes the warehouse to the consoles, and
    /// asks the relief coordinator to plan again (debounced, one-way): the reserve's stock joins or leaves the plans.
    /// </summary>
    private async Task SetActivation(ReserveActivation? activation)
    {
        var previous = state.State.Activation;
        state.State.Activation = activation;
        try
        {
            await Changed();
        }
        catch
        {
            state.State.Activation = previous;
            throw;
        }
        await GrainFactory.Grain<IReliefCoordinatorGrain>(ReliefCoordinator.GrainKey).RequestReplan();
    }

    /// <summary>
    /// Writes the state (a failed write restarts the activation: a failed issue must not be stored by the next reservation and
    /// applied twice once the caller retries), then pushes the warehouse to the district console scope.
    /// </summary>
    private async Task Changed()
    {
        await state.WriteOrRestartAsync(this);
        if (View() is { } view)
            Realtime.Publish.To(GrainFactory, [Scopes.District], [new EntityChange { Kind = DeltaKinds.Warehouse, Id = view.Id, Data = view }]);
    }

    public async Task ApplyDefinition(WarehouseDefinition definition)
    {
        if (definition.Id != this.GetPrimaryKeyString())
            throw new ArgumentException($"definition of warehouse '{definition.Id}' sent to grain '{this.GetPrimaryKeyString()}'");
        if (state.State.Definition is null)
        {
            foreach (var line in definition.Stock)
            {
                state.State.Stock[line.ItemCode] = new StockEntry { OnHand = line.Quantity };
            }
        }
        // The definition's stock list is only the initial stock: live stock is never reset by reloading reference data.
        var replacing = state.State.Definition is not null;
        state.State.Definition = definition with { Stock = [] };
        if (replacing) await Changed(); // the consoles get the new definition (thirty-first session)
        else await state.WriteOrRestartAsync(this);
    }

    public Task<Warehouse?> Get() => Task.FromResult(View());

    private Warehouse? View()
    {
        // Another key that the storage provider maps to the same row (see RescueTeamGrain) does not see this warehouse.
        if (state.State.Definition is not { } d || d.Id != this.GetPrimaryKeyString()) return null;
        return new Warehouse
        {
            Id = d.Id,
            Kind = d.Kind,
            Category = d.Category,
            NameZh = d.NameZh,
            NameEn = d.NameEn,
            AreaId = d.AreaId,
            Position = d.Position,
            Operator = d.Operator,
            MobilisationMinutes = d.MobilisationMinutes,
            Fleet = d.Fleet,
            Activation = state.State.Activation,
            Stock = [.. state.State.Stock.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new StockLevel { ItemCode = kv.Key, OnHand = kv.Value.OnHand, Reserved = kv.Value.Reserved })],
        };
    }
}
