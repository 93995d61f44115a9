using System.Globalization;

namespace HuaduDispatch.Contracts;

/// <summary>How times are written in text meant for people and partner systems: the district's own time.</summary>
public static class DistrictTime
{
    /// <summary>China Standard Time: +08:00 all year (no daylight saving).</summary>
    public static readonly TimeSpan Offset = TimeSpan.FromHours(8);

    /// <summary>
    /// ISO 8601 (xs:dateTime) in China time with whole seconds, whatever offset the time came with: an incident's deadline
    /// keeps the offset its report gave (often UTC), and one message or sentence must not mix offsets.
    /// </summary>
    public static string Text(DateTimeOffset t) => t.ToOffset(Offset).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
}
