using System.Globalization;
using HuaduDispatch.Contracts;

namespace HuaduDispatch.Grains.Dispatch.Rules;

/// <summary>
/// What a request to set up or update a field command post (现场指挥部) gives the post. A field left out (or null) keeps the
/// post's current value; on set-up it takes the default (the duty commander, the incident's location). Before 2026-12-05 an
/// update reset every field it left out to that default.
/// </summary>
public static class CommandPostRules
{
    /// <summary>
    /// The commander and position the post takes, and what changed on an existing post (null when nothing did, or when the post
    /// is new). A blank commander is a 400 naming the field.
    /// </summary>
    public static (string Commander, GeoPoint Position, string? Change) Apply(CommandPost? current, CommandPostRequest request,
        string dutyCommander, GeoPoint incidentLocation)
    {
        if (request.Commander is { } given && VisibleText.IsBlank(given))
            throw DomainException.Invalid("commander", "commander is blank: name the commander, or leave the field out to keep the current one");
        var commander = request.Commander?.Trim() ?? current?.Commander ?? dutyCommander;
        var position = request.Position ?? current?.Position ?? incidentLocation;
        if (current is null) return (commander, position, null);
        var changes = new List<string>();
        if (commander != current.Commander) changes.Add($"commander {current.Commander} -> {commander}");
        if (position.Lat != current.Position.Lat || position.Lon != current.Position.Lon)
            changes.Add(string.Create(CultureInfo.InvariantCulture, $"moved to {position.Lat}, {position.Lon}"));
        return (commander, position, changes.Count == 0 ? null : string.Join("; ", changes));
    }

    /// <summary>
    /// Refuses a situation report the incident's state does not allow: after its close or cancellation only the
    /// <see cref="SitRepKind.Final"/> report (the closing summary, often written after the close) is taken. Until the
    /// thirtieth session an <c>Initial</c> or <c>Update</c> was taken after the close. A merged incident is refused before this,
    /// naming the incident that takes reports.
    /// </summary>
    public static void CheckSitRepAllowed(IncidentStatus status, SitRepKind? kind)
    {
        if (status is IncidentStatus.Closed or IncidentStatus.Cancelled && kind is SitRepKind.Initial or SitRepKind.Update)
            throw DomainException.Conflict($"the incident is {status}: only the Final situation report is taken after that");
    }

    /// <summary>The timeline's summary of a situation report.</summary>
    public static string SitRepSummary(SitRep report) => $"situation report {report.Number} ({report.Kind}): {report.Text}";
}
