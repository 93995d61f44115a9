namespace HuaduDispatch.Contracts;

/// <summary>
/// Reads one enum member by its name, case-insensitive and trimmed, for query strings and free-text fields. Unlike
/// <see cref="Enum.TryParse{TEnum}(string?, bool, out TEnum)"/> it refuses numbers ("3") and comma lists ("Ambulance,Fire"),
/// which that method turns into whatever member their value or OR happens to hit.
/// </summary>
public static class EnumNames
{
    public static bool TryParse<TEnum>(string? value, out TEnum parsed) where TEnum : struct, Enum
    {
        parsed = default;
        var name = value?.Trim();
        if (string.IsNullOrEmpty(name)) return false;
        foreach (var candidate in Enum.GetNames<TEnum>())
            if (string.Equals(candidate, name, StringComparison.OrdinalIgnoreCase))
            {
                parsed = Enum.Parse<TEnum>(candidate);
                return true;
            }
        return false;
    }
}
