using HuaduDispatch.Contracts;

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
}

public sealed class WarehouseGrain(
    [PersistentState("warehouse", StorageNames.Dispatch)] IPersistentState<WarehouseState> state) : Grain, IWarehouseGrain
{
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
        state.State.Definition = definition with { Stock = [] };
        await state.WriteStateAsync();
    }

    public Task<Warehouse?> Get()
    {
        // Another key that the storage provider maps to the same row (see RescueTeamGrain) does not see this warehouse.
        if (state.State.Definition is not { } d || d.Id != this.GetPrimaryKeyString()) return Task.FromResult<Warehouse?>(null);
        return Task.FromResult<Warehouse?>(new Warehouse
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
            Stock = [.. state.State.Stock.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new StockLevel { ItemCode = kv.Key, OnHand = kv.Value.OnHand, Reserved = kv.Value.Reserved })],
        });
    }
}
