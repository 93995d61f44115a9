using System.Security.Cryptography;
using System.Text.Json;
using HuaduDispatch.Contracts;

namespace HuaduDispatch.Grains.Reference;

/// <summary>Reads and checks a reference data file (huadu-reference.json or a bureau's replacement).</summary>
public static class ReferenceDataFile
{
    /// <summary>Parses and validates the file's bytes; the content hash identifies the set for idempotent loading.</summary>
    public static (ReferenceDataSet Set, string ContentHash) Parse(ReadOnlySpan<byte> utf8Json)
    {
        ReferenceDataSet? set;
        try
        {
            set = JsonSerializer.Deserialize<ReferenceDataSet>(utf8Json, DispatchJson.Options);
        }
        catch (JsonException e)
        {
            throw new InvalidReferenceDataException([$"not a valid reference data file: {e.Message}"]);
        }
        if (set is null) throw new InvalidReferenceDataException(["the file is empty (null)"]);

        var errors = ReferenceDataValidator.Validate(set);
        if (errors.Count > 0) throw new InvalidReferenceDataException(errors);
        return (set, Convert.ToHexStringLower(SHA256.HashData(utf8Json)));
    }

    public static (ReferenceDataSet Set, string ContentHash) Load(string path)
    {
        if (!File.Exists(path)) throw new InvalidReferenceDataException([$"reference data file not found: {path}"]);
        return Parse(File.ReadAllBytes(path));
    }
}

public sealed class InvalidReferenceDataException(IReadOnlyList<string> errors)
    : Exception("Invalid reference data: " + string.Join("; ", errors.Take(20)))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
