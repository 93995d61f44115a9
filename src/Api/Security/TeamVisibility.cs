using HuaduDispatch.Contracts;

namespace HuaduDispatch.Api.Security;

/// <summary>
/// What a team shows a caller. Teams are public (any role), but the incident a team is assigned to is not: for an agency token,
/// a team assigned to an incident the agency may not see shows no <c>incidentId</c> and no <c>statusNote</c> (which is about
/// that incident), so the teams list, one team and the teams map layer do not reveal incidents that are 404 to the agency; a
/// team with no incident shows an agency no <c>statusNote</c>.
/// </summary>
public static class TeamVisibility
{
    public static async Task<IReadOnlyList<RescueTeam>> ForCaller(IReadOnlyList<RescueTeam> teams, IGrainFactory grains, Actor actor)
    {
        if (actor.Role != Roles.Agency) return teams;
        // At most one read per assigned incident (26 teams in Huadu); an incident with teams is active anyway.
        var ids = teams.Select(t => t.IncidentId).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var incidents = await Task.WhenAll(ids.Select(id => grains.Grain<IIncidentGrain>(id).Get()));
        var visible = incidents.OfType<Incident>().Where(actor.CanSee).Select(i => i.Id).ToHashSet(StringComparer.Ordinal);
        return [.. teams.Select(t => Hide(t, visible))];
    }

    public static async Task<RescueTeam> ForCaller(RescueTeam team, IGrainFactory grains, Actor actor) =>
        (await ForCaller([team], grains, actor))[0];

    /// <summary>
    /// A team with no incident shows an agency no <c>statusNote</c> either: the note may have been written on the incident it
    /// was released from (it stays until the team's next status), and until the thirtieth session an agency read "on scene at
    /// ..., hostage situation" on a returning team of an incident that was a 404 to it.
    /// </summary>
    private static RescueTeam Hide(RescueTeam team, HashSet<string> visible) => team.IncidentId switch
    {
        { } id when !visible.Contains(id) => team with { IncidentId = null, StatusNote = null },
        null when team.StatusNote is not null => team with { StatusNote = null },
        _ => team,
    };
}
