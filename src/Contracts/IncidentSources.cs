namespace HuaduDispatch.Contracts;

/// <summary>
/// The sources of an incident that are the district itself, not a partner agency: a console, the hotline, and this system's own
/// agency id in EIDOs. No agency may be registered under one of them, and an agency token naming one sees nothing by it:
/// an agency reads the incidents it reported, and these are not reports of an agency.
/// </summary>
public static class IncidentSources
{
    public const string Console = "console";
    public const string Hotline = "hotline";
    /// <summary>Our agency identifier in EIDOs (updatedByAgencyReference, agencyComponent, tracking ids).</summary>
    public const string OwnAgency = "huadu-dispatch";

    public static readonly IReadOnlyList<string> Internal = [Console, Hotline, OwnAgency];

    public static bool IsInternal(string? source) => source is not null && Internal.Contains(source, StringComparer.OrdinalIgnoreCase);
}
