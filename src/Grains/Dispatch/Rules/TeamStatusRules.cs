using HuaduDispatch.Contracts;

namespace HuaduDispatch.Grains.Dispatch.Rules;

/// <summary>
/// What a team's own reports may change. Assignment is owned by incidents (dispatch and release); a team's reports move it
/// along the response (Assigned -> EnRoute -> OnScene -> Returning) and in and out of service when it has no assignment,
/// so the team's status and the incident's assignment never disagree.
/// </summary>
public static class TeamStatusRules
{
    /// <summary>
    /// Unassigned and Available, or Returning: a team released on its way back is free and on the road, and is sent on from
    /// where it is (a diversion is a release, then a dispatch). Until the twenty-ninth session only Available was, and a
    /// dispatcher had to report a returning team Available ("at base") to send it anywhere.
    /// </summary>
    public static bool IsDispatchable(TeamStatus s, string? currentIncident) => s is TeamStatus.Available or TeamStatus.Returning && currentIncident is null;

    /// <summary>Null when the report is allowed; otherwise why not.</summary>
    public static string? CheckReport(TeamStatus from, TeamStatus to, string? incidentId)
    {
        if (from == to) return null; // a repeat (radios retry) changes nothing but position and note
        var assigned = incidentId is not null;
        switch (to)
        {
            case TeamStatus.Assigned:
                return "Assigned is set by a dispatch, not reported by the team";
            case TeamStatus.EnRoute:
                if (!assigned) return "EnRoute needs an assignment; the team is not assigned to an incident";
                return from is TeamStatus.Assigned or TeamStatus.OnScene ? null : $"{from} cannot go to EnRoute";
            case TeamStatus.OnScene:
                if (!assigned) return "OnScene needs an assignment; the team is not assigned to an incident";
                return from is TeamStatus.Assigned or TeamStatus.EnRoute or TeamStatus.Returning ? null : $"{from} cannot go to OnScene";
            case TeamStatus.Returning:
                if (!assigned) return "Returning needs an assignment; report Available when back at base";
                return from is TeamStatus.EnRoute or TeamStatus.OnScene ? null : $"{from} cannot go to Returning";
            case TeamStatus.Available:
            case TeamStatus.OutOfService:
            case TeamStatus.OffDuty:
                if (assigned) return $"the team is assigned to incident {incidentId}; a dispatcher must release it before it reports {to}";
                return null;
            default:
                return $"unknown status {to}";
        }
    }

    /// <summary>
    /// Whether a status reported at <paramref name="at"/> is older than the status the team holds (<paramref name="held"/>), as a
    /// position older than the one held is: such a late report (a radio outage, a log copied from paper) must not undo the newer
    /// status. Before 2026-12-05 an EnRoute at -5 min sent after an OnScene at -1 min left the team EnRoute. A status the server
    /// set (a dispatch, a release, a report without a time) was set by the server's clock: a report up to
    /// <see cref="ReportTimeRules.ClockTolerance"/> before it may be a device clock behind the server's. It is taken so when it
    /// moves the response on (EnRoute after Assigned, OnScene after EnRoute), and as late when it moves it back (EnRoute dated
    /// before an OnScene the app reported without a time): a crew's radio log copied in minutes later. Until the thirtieth
    /// session every report in those 5 minutes applied, and an EnRoute from the log undid the OnScene reported live.
    /// </summary>
    public static bool IsLate(DateTimeOffset at, StatusTime held, DateTimeOffset now, TeamStatus from, TeamStatus to)
    {
        var since = held.At > now ? now : held.At;
        if (held.DeviceClock) return at < since;
        if (since - DateTimeOffset.MinValue <= ReportTimeRules.ClockTolerance) return false;
        return at < since - ReportTimeRules.ClockTolerance || (at < since && Step(to) < Step(from));
    }

    /// <summary>Where a status stands in the response (Assigned, EnRoute, OnScene, Returning); the others stand nowhere.</summary>
    private static int Step(TeamStatus s) => s switch
    {
        TeamStatus.Assigned => 1,
        TeamStatus.EnRoute => 2,
        TeamStatus.OnScene => 3,
        TeamStatus.Returning => 4,
        _ => 0,
    };

    /// <summary>The status a team takes when its incident releases it.</summary>
    public static TeamStatus AfterRelease(TeamStatus current) => current switch
    {
        TeamStatus.EnRoute or TeamStatus.OnScene or TeamStatus.Returning => TeamStatus.Returning,
        _ => TeamStatus.Available,
    };
}

/// <summary>When a team's status took effect: a time a report gave (<paramref name="DeviceClock"/>) or the server's.</summary>
public readonly record struct StatusTime(DateTimeOffset At, bool DeviceClock);
