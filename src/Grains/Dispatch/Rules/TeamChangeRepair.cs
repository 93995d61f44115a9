namespace HuaduDispatch.Grains.Dispatch.Rules;

/// <summary>Whether an incident was assigning a team (a dispatch) or releasing it (a release, or closing the incident).</summary>
public enum TeamChangeKind
{
    Assign,
    Release,
}

/// <summary>
/// What is done with a team change that an incident stored and never finished (the node died, or a write failed, between the
/// team's write and the incident's): the team and the incident must agree again, without anyone sending the request again.
/// </summary>
public static class TeamChangeRepair
{
    public enum Action
    {
        /// <summary>Nothing to do: the team is not assigned to this incident and the incident does not list it.</summary>
        None,
        /// <summary>An assignment the incident never stored: the team, assigned here by its own record, is released (undone).</summary>
        UndoAssignment,
        /// <summary>A release the incident never stored: the team is released (again: a no-op if it was) and so is the incident's assignment.</summary>
        FinishRelease,
    }

    /// <summary>
    /// An assignment cut short is undone rather than finished: its dispatcher got no answer (or an error) and may send it again,
    /// which then assigns the team afresh; finishing it would give the incident a team and a task nobody was told of. A release
    /// cut short is finished: the team may already be released and sent elsewhere, so it cannot be taken back.
    /// </summary>
    public static Action For(TeamChangeKind kind, bool teamAssignedHere, bool listedByIncident) => kind switch
    {
        TeamChangeKind.Release when listedByIncident || teamAssignedHere => Action.FinishRelease,
        TeamChangeKind.Assign when listedByIncident => Action.None, // stored with the change: nothing was cut short
        TeamChangeKind.Assign when teamAssignedHere => Action.UndoAssignment,
        _ => Action.None,
    };

    /// <summary>
    /// Whether a dispatcher's release of a team the incident does not list is carried out: when the team's own record says it is
    /// assigned to this incident (the way out for a team stuck by a change cut short before this repair existed).
    /// </summary>
    public static bool MayReleaseUnlisted(string incidentId, string? teamsIncident) => teamsIncident == incidentId;
}
