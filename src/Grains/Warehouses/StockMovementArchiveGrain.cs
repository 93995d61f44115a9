using HuaduDispatch.Contracts;

namespace HuaduDispatch.Grains.Warehouses;

[GenerateSerializer, Alias("huadu.StockMovementArchiveState")]
public sealed class StockMovementArchiveState
{
    [Id(0)] public List<StockMovement> Movements { get; set; } = [];
}

/// <summary>One page of a warehouse's older movements (see <see cref="IStockMovementArchiveGrain"/>); written only by its warehouse.</summary>
public sealed class StockMovementArchiveGrain(
    [PersistentState("stock-movement-archive", StorageNames.Dispatch)] IPersistentState<StockMovementArchiveState> state)
    : Grain, IStockMovementArchiveGrain
{
    public async Task Append(IReadOnlyList<StockMovement> movements)
    {
        var last = state.State.Movements.Count > 0 ? state.State.Movements[^1].Seq : 0;
        var fresh = movements.Where(m => m.Seq > last).OrderBy(m => m.Seq).ToList();
        if (fresh.Count == 0) return;
        state.State.Movements.AddRange(fresh);
        await state.WriteOrRestartAsync(this); // not kept when the write fails: the warehouse sends them again
    }

    public Task<IReadOnlyList<StockMovement>> Get() => Task.FromResult<IReadOnlyList<StockMovement>>([.. state.State.Movements]);
}
