using System.Text.Json;
using HuaduDispatch.Contracts;
using Orleans.Storage;

namespace HuaduDispatch.Silo.Storage;

/// <summary>
/// Grain state as plain UTF-8 JSON (camelCase, enums as names, no CLR type names), so an operator can read it in PostgreSQL
/// and a renamed class or an added/removed property does not break state already stored.
/// </summary>
public sealed class JsonGrainStorageSerializer : IGrainStorageSerializer
{
    private static readonly JsonSerializerOptions Options = DispatchJson.Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public BinaryData Serialize<T>(T? input) => BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(input, Options));

    public T Deserialize<T>(BinaryData input) =>
        JsonSerializer.Deserialize<T>(input.ToMemory().Span, Options)
        ?? throw new JsonException($"stored state for {typeof(T).Name} is JSON null");
}
