namespace HuaduDispatch.Contracts;

/// <summary>Stock of one item in one warehouse. available = onHand - reserved.</summary>
[GenerateSerializer, Immutable, Alias("huadu.StockLevel")]
public sealed record StockLevel
{
    [Id(0)] public required string ItemCode { get; init; }
    [Id(1)] public required long OnHand { get; init; }
    [Id(2)] public required long Reserved { get; init; }
    public long Available => OnHand - Reserved;
}

/// <summary>A warehouse as the API shows it: reference description plus live stock.</summary>
[GenerateSerializer, Immutable, Alias("huadu.Warehouse")]
public sealed record Warehouse
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required WarehouseKind Kind { get; init; }
    [Id(2)] public DepotCategory? Category { get; init; }
    [Id(3)] public required string NameZh { get; init; }
    [Id(4)] public required string NameEn { get; init; }
    [Id(5)] public required string AreaId { get; init; }
    [Id(6)] public required GeoPoint Position { get; init; }
    [Id(7)] public string? Operator { get; init; }
    [Id(8)] public required int MobilisationMinutes { get; init; }
    [Id(9)] public required Fleet Fleet { get; init; }
    [Id(10)] public required IReadOnlyList<StockLevel> Stock { get; init; }
}

/// <summary>One warehouse of the reserve network (one grain per warehouse, keyed by warehouse id); the only writer of its stock.</summary>
[Alias("huadu.IWarehouseGrain")]
public interface IWarehouseGrain : IGrainWithStringKey
{
    /// <summary>Creates the warehouse or updates its description. Initial stock is taken only the first time.</summary>
    [Alias("ApplyDefinition")] Task ApplyDefinition(WarehouseDefinition definition);

    /// <summary>The warehouse with its stock, or null when no reference data set ever defined it.</summary>
    [Alias("Get")] Task<Warehouse?> Get();
}
