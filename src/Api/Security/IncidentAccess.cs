using System.Security.Claims;
using HuaduDispatch.Contracts;

namespace HuaduDispatch.Api.Security;

/// <summary>
/// Who may see an incident. The command centre's roles and teams see every incident; a partner agency sees only the incidents it
/// reported (source = its agency id) or that were shared with it. For the others the API answers 404, as if the id did not exist.
/// </summary>
public static class IncidentAccess
{
    public static bool CanSee(this ClaimsPrincipal user, Incident incident) => user.ToActor().CanSee(incident);

    public static bool CanSee(this Actor actor, Incident incident) => actor.CanSee(incident.Source, incident.SharedWith);

    public static bool CanSee(this Actor actor, IncidentSummary summary) => actor.CanSee(summary.Source, summary.SharedWith);

    private static bool CanSee(this Actor actor, string source, IReadOnlyList<string> sharedWith) =>
        actor.Role != Roles.Agency || (actor.AgencyId is { Length: > 0 } agency && !IncidentSources.IsInternal(agency) && (source == agency || sharedWith.Contains(agency)));
}
