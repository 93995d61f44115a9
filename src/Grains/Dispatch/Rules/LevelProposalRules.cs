using HuaduDispatch.Contracts;

namespace HuaduDispatch.Grains.Dispatch.Rules;

/// <summary>
/// What new figures do to an incident's response level: a more severe grading applies at once, a less severe one is only
/// proposed (a dispatcher or commander confirms or declines it). A proposal already standing for the same level is kept as it
/// is, and the level a commander declined is not proposed again until the figures grade another level or the level changes.
/// Until the thirtieth session every new figure put the same proposal back on the consoles with a new timeline entry, the
/// declined one included (a cluster test saw it at each radio count after the commander had kept level II).
/// </summary>
public static class LevelProposalRules
{
    public enum Outcome
    {
        /// <summary>More severe: the level changes now.</summary>
        Apply,
        /// <summary>Less severe: a new proposal, recorded in the timeline.</summary>
        Propose,
        /// <summary>The proposal standing is for this level already: nothing changes.</summary>
        KeepStanding,
        /// <summary>The commander declined this level: no proposal, and the decline stands.</summary>
        StayDeclined,
        /// <summary>The figures grade the level the incident is at: no proposal, and no decline remembered.</summary>
        Clear,
        /// <summary>
        /// More severe than the level in force, but a commander set that level against figures grading as severe as these: the
        /// commander's level stands (the typhoon-night tester's F2, thirty-first session: the next radio count put it back).
        /// </summary>
        StayHeld,
    }

    /// <param name="heldAgainst">The grading of the figures a commander set the level in force against (a level less severe
    /// than they graded), or null.</param>
    public static Outcome OnFigures(ResponseLevel current, ResponseLevel graded, ResponseLevel? standing, ResponseLevel? declined,
        ResponseLevel? heldAgainst = null)
    {
        if (graded < current) return heldAgainst is { } held && graded >= held ? Outcome.StayHeld : Outcome.Apply; // I is the most severe
        if (graded == current) return Outcome.Clear;
        if (standing == graded) return Outcome.KeepStanding;
        return declined == graded ? Outcome.StayDeclined : Outcome.Propose;
    }
}
