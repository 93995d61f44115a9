namespace HuaduDispatch.Contracts;

/// <summary>
/// What a partner agency is shown of the district's records, over REST, webhooks, the EIDO export and the console hub alike:
/// the case, not the district's staff. The names of the centre's people (who set a level, who issued a task, who wrote a
/// situation report) are the district's own business and personal data; a partner is told which body acted (the district
/// command centre or the incident's field command post). The field commander's name stays: a partner's crews on scene report
/// to that person. Until the thirty-third session staff names reached partners (a partner tester's finding), and the hub gave
/// an agency every message of its incident's scope as the district's consoles see them (the report upward included).
/// </summary>
public static class PartnerView
{
    /// <summary>How a partner reads the district command centre as the one who acted.</summary>
    public const string Centre = "the district command centre";
    /// <summary>How a partner reads the incident's field command post as the one who acted.</summary>
    public const string Post = "the field command post";

    /// <summary>A task without the name of the person who issued it: the body that did.</summary>
    public static DispatchTask ForPartner(this DispatchTask task) =>
        task with { IssuedByActor = task.IssuedBy == TaskIssuer.CommandPost ? Post : Centre };

    /// <summary>A command post whose situation reports are the post's, without the names of who typed them.</summary>
    public static CommandPost ForPartner(this CommandPost post) => post with
    {
        SitReps = [.. post.SitReps.Select(r => r with { Actor = Post })],
        Tasks = [.. post.Tasks.Select(t => t.ForPartner())],
    };

    /// <summary>
    /// A team as a partner following <paramref name="incidentId"/> sees it: a team no longer on that incident (released, or on
    /// another one the partner may not see) shows no incident and no status note, which may be about that other incident.
    /// </summary>
    public static RescueTeam ForPartnerOf(this RescueTeam team, string incidentId) =>
        team.IncidentId == incidentId ? team : team with { IncidentId = null, StatusNote = null };

    /// <summary>
    /// An incident's relief without the names of who closed a route (<see cref="AvoidedWarehouse.By"/>: the centre did; a
    /// verifier's F1, thirty-third session).
    /// </summary>
    public static IncidentRelief ForPartner(this IncidentRelief relief) => relief.AvoidedWarehouses.Count == 0 ? relief
        : relief with { AvoidedWarehouses = [.. relief.AvoidedWarehouses.Select(a => a with { By = Centre })] };

    /// <summary>
    /// An entity of an incident's scope as a partner following it sees it (<see cref="Scopes.Incident"/>): incidents, tasks,
    /// command posts, relief and teams by the rules above; convoys as the consoles see them (as GET /incidents/{id}/relief
    /// lists them to partners).
    /// </summary>
    public static object? Of(string kind, object? data, string incidentId) => data switch
    {
        Incident incident => incident.ForPartner(),
        IncidentRelief relief => relief.ForPartner(),
        DispatchTask task => task.ForPartner(),
        CommandPost post => post.ForPartner(),
        RescueTeam team => team.ForPartnerOf(incidentId),
        _ => data,
    };
}
