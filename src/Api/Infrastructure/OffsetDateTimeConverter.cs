using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace HuaduDispatch.Api;

/// <summary>
/// Reads a client's times only with their offset (RFC 3339, as the OpenAPI document's <c>date-time</c> says): a time without
/// one (<c>2026-12-05T07:05:00</c>, or a date alone) is a 400 naming the field. System.Text.Json reads such a time in the node's
/// time zone (UTC here), so before the twenty-third session a partner's Beijing time was taken 8 hours late, moving the relief
/// deadline and the KPI without a word, and an afternoon report was refused as "in the future". Writes as before.
/// </summary>
public sealed partial class OffsetDateTimeConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String) throw new JsonException("expected an ISO 8601 date and time with its offset, as a string");
        var text = reader.GetString()!;
        if (TryParse(text, out var at)) return at;
        throw new JsonException(Problem(text));
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) => writer.WriteStringValue(value);

    /// <summary>An ISO 8601 date-time that ends with its offset (<c>Z</c> or ±hh:mm), as <paramref name="at"/>; bodies and query values alike.</summary>
    public static bool TryParse(string text, out DateTimeOffset at)
    {
        at = default;
        // RFC 3339 (5.6) allows "t" and "z" in lower case: read as upper case (they were refused as "has no offset").
        text = text.ToUpperInvariant();
        return OffsetAtEnd().IsMatch(text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out at);
    }

    /// <summary>What is wrong with a time that <see cref="TryParse"/> refused.</summary>
    public static string Problem(string text) => OffsetAtEnd().IsMatch(text.ToUpperInvariant())
        ? OutOfRange(text) ? $"'{text}' {OutOfRangeWords}" : $"'{text}' is not an ISO 8601 date-time"
        : $"'{text}' has no offset: send the date-time with its offset, such as 2026-12-05T15:00:00+08:00 or 2026-12-05T07:00:00Z";

    /// <summary>Why a valid date-time with an offset is refused when it falls outside the range once converted to UTC.</summary>
    public const string OutOfRangeWords = "is outside the times this system handles (0001-01-01 to 9999-12-31 in UTC once its offset is applied)";

    /// <summary>
    /// Whether <paramref name="text"/> is a date-time with an offset that is well formed but outside the range once converted to
    /// UTC (0001-01-01T00:00:00+14:00, 9999-12-31T23:59:59-14:00): its local part alone parses.
    /// </summary>
    public static bool OutOfRange(string text)
    {
        var offset = OffsetAtEnd().Match(text);
        return offset.Success && offset.Value != "Z"
            && DateTime.TryParse(text[..offset.Index], CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
            && !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out _);
    }

    /// <summary>The rule for query values too (<see cref="Problems.TryParseInstant"/>): ends with Z or ±hh:mm.</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"(Z|[+-]\d{2}:\d{2})$")]
    private static partial System.Text.RegularExpressions.Regex OffsetAtEnd();
}
