using System.Text.RegularExpressions;

namespace HuaduDispatch.Contracts;

/// <summary>
/// The sources of an incident that are the district itself, not a partner agency: a console, the hotline, and this system's own
/// agency id in EIDOs. No agency may be registered under one of them, and an agency token naming one sees nothing by it:
/// an agency reads the incidents it reported, and these are not reports of an agency.
/// </summary>
public static partial class IncidentSources
{
    public const string Console = "console";
    public const string Hotline = "hotline";
    /// <summary>Our agency identifier in EIDOs (updatedByAgencyReference, agencyComponent, tracking ids).</summary>
    public const string OwnAgency = "huadu-dispatch";

    public static readonly IReadOnlyList<string> Internal = [Console, Hotline, OwnAgency];

    public static bool IsInternal(string? source) => source is not null && Internal.Contains(source, StringComparer.OrdinalIgnoreCase);

    [GeneratedRegex("^[a-z][a-z0-9-]{1,63}$")]
    private static partial Regex IdPattern();

    /// <summary>
    /// What is wrong with an id used as a registry key (agency and endpoint ids), or null: lowercase letters, digits and dashes,
    /// 2-64 long, starting with a letter, with a dash or a letter beyond f (grain storage keeps a key that reads as a hex number,
    /// "abc" or "fe01", as that number, so such keys could collide).
    /// </summary>
    public static string? IdProblem(string? id)
    {
        if (string.IsNullOrEmpty(id)) return "is required";
        if (!IdPattern().IsMatch(id)) return "must match ^[a-z][a-z0-9-]{1,63}$ (lowercase letters, digits and dashes, starting with a letter)";
        if (id.All(Uri.IsHexDigit)) return "must contain a dash or a letter after 'f' (an id that reads as a hexadecimal number collides in grain storage)";
        return null;
    }

    /// <summary>
    /// What is wrong with an agency id, or null: an id (<see cref="IdProblem"/>) that is not one of the district's own incident
    /// sources, since an agency reads the incidents whose source is its id. The registry, shares, incident sources and agency
    /// tokens all follow it.
    /// </summary>
    public static string? AgencyIdProblem(string? id) => IdProblem(id) ?? (IsInternal(id)
        ? $"is reserved for the district's own incident sources ({string.Join(", ", Internal)})" : null);

    /// <summary>
    /// What is wrong with an incident's source, or null: one of the district's own sources (<see cref="Internal"/>) or an agency
    /// id. Before the twenty-third session any text was taken ("Police 110 / 公安"), and no agency could ever read such an incident.
    /// </summary>
    public static string? SourceProblem(string? source) =>
        source is not null && Internal.Contains(source, StringComparer.Ordinal) ? null
        : AgencyIdProblem(source) is { } problem ? $"{problem}; a source is {Console}, {Hotline}, {OwnAgency} or an agency id" : null;
}
