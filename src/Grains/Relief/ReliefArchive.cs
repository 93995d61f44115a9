using System.Globalization;

namespace HuaduDispatch.Grains.Relief;

/// <summary>
/// Which tracked incidents the relief coordinator moves to its archive, and which archive months a report reads. Every
/// incident that ever had relief stays known (the KPI reads them all), but the coordinator writes its state at every re-plan:
/// kept there forever, the incidents of years would be written at every change. An incident whose deadline passed more than
/// <see cref="ReliefOptions.ArchiveAfter"/> ago is never planned again, so it moves to the page of its deadline's month.
/// </summary>
public static class ReliefArchive
{
    /// <summary>The archive page of a deadline: "relief-yyyy-MM" of its UTC month.</summary>
    public static string Page(DateTimeOffset deadline) => "relief-" + deadline.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    /// <summary>The tracked incidents to archive at <paramref name="now"/>, by page, each with its deadline.</summary>
    public static IReadOnlyDictionary<string, Dictionary<string, DateTimeOffset>> Due(IEnumerable<string> tracked,
        IReadOnlyDictionary<string, DateTimeOffset> deadlines, DateTimeOffset now, TimeSpan after)
    {
        var pages = new SortedDictionary<string, Dictionary<string, DateTimeOffset>>(StringComparer.Ordinal);
        foreach (var id in tracked)
        {
            if (!deadlines.TryGetValue(id, out var due) || due > now - after) continue;
            var page = Page(due);
            if (!pages.TryGetValue(page, out var ids)) pages[page] = ids = new(StringComparer.Ordinal);
            ids[id] = due;
        }
        return pages;
    }

    /// <summary>The pages that can hold deadlines at or after <paramref name="since"/> (all of them without it).</summary>
    public static IEnumerable<string> PagesFrom(IEnumerable<string> pages, DateTimeOffset? since) =>
        since is { } at ? pages.Where(p => string.CompareOrdinal(p, Page(at)) >= 0) : pages;
}
