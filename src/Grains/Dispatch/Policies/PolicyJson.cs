using System.Text.Json;
using System.Text.Json.Serialization;
using HuaduDispatch.Contracts;

namespace HuaduDispatch.Grains.Dispatch;

/// <summary>
/// JSON for the bureau's policy files: the system's conventions (<see cref="DispatchJson.Options"/>) and, on top, unknown
/// properties are refused, so a misspelt criterion ("deadOrMising") is an error instead of a silently ignored line.
/// </summary>
internal static class PolicyJson
{
    public static JsonSerializerOptions Options { get; } = new(DispatchJson.Options)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        WriteIndented = true,
    };

    public static T Deserialize<T>(string json, string what) where T : class
    {
        ArgumentNullException.ThrowIfNull(json);
        T? value;
        try
        {
            value = JsonSerializer.Deserialize<T>(json, Options);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"not a valid {what}: {e.Message}", nameof(json), e);
        }
        return value ?? throw new ArgumentException($"not a valid {what}: the document is null", nameof(json));
    }
}
