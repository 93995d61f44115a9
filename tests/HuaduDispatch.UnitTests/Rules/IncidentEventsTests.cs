using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Dispatch.Rules;

namespace HuaduDispatch.UnitTests.Rules;

public sealed class IncidentEventsTests
{
    private static Incident After(IncidentStatus status, ResponseLevel level) => new()
    {
        Id = "INC-20260612-AAAAAAAA", Category = IncidentCategory.NaturalDisaster, Type = IncidentType.Waterlogging, Status = status,
        Title = "Underpass flooded", Description = "", Location = new IncidentLocation { Lat = 23.4, Lon = 113.2, AreaId = "A01" },
        OccurredAt = DateTimeOffset.UnixEpoch, ReportedAt = DateTimeOffset.UnixEpoch, Source = "police-110", Assessment = Assessment.None,
        ResponseLevel = level, LevelReason = "figures", LeadingTier = LeadingTier.DistrictBureau, ReportDeadline = DateTimeOffset.UnixEpoch,
        RequiredModules = [], Teams = [], CommandPost = false, UpdatedAt = DateTimeOffset.UnixEpoch, Version = 1,
    };

    private static List<IncidentEventKind> Kinds(IncidentEvents.Before before, Incident after, params string[] teams) =>
        [.. IncidentEvents.Derive(before, after, teams).Select(e => e.Kind)];

    [Fact]
    public void Creation_is_one_created_event_even_though_status_and_level_are_new()
    {
        var before = new IncidentEvents.Before(false, IncidentStatus.Reported, ResponseLevel.IV, []);
        Assert.Equal([IncidentEventKind.IncidentCreated], Kinds(before, After(IncidentStatus.Reported, ResponseLevel.III)));
    }

    [Fact]
    public void Dispatch_that_moves_the_status_gives_teams_dispatched_then_status_changed()
    {
        var before = new IncidentEvents.Before(true, IncidentStatus.Reported, ResponseLevel.IV, ["D01"]);
        var summaries = IncidentEvents.Derive(before, After(IncidentStatus.Responding, ResponseLevel.IV), ["D01", "T05"]).ToList();
        Assert.Equal([IncidentEventKind.TeamsDispatched, IncidentEventKind.StatusChanged], summaries.Select(e => e.Kind));
        Assert.Equal("T05 dispatched", summaries[0].Summary);
        Assert.Equal("Reported -> Responding", summaries[1].Summary);
    }

    [Fact]
    public void Level_change_and_closing()
    {
        var before = new IncidentEvents.Before(true, IncidentStatus.Recovery, ResponseLevel.III, []);
        Assert.Equal([IncidentEventKind.LevelChanged], Kinds(before, After(IncidentStatus.Recovery, ResponseLevel.II)));
        Assert.Equal([IncidentEventKind.StatusChanged, IncidentEventKind.IncidentClosed], Kinds(before, After(IncidentStatus.Closed, ResponseLevel.III)));
    }

    [Theory]
    [InlineData(IncidentStatus.Reported, IncidentStatus.Cancelled, "incident cancelled")]
    [InlineData(IncidentStatus.Verified, IncidentStatus.Merged, "incident merged into INC-20260612-BBBBBBBB")]
    [InlineData(IncidentStatus.Recovery, IncidentStatus.Closed, "incident closed")]
    public void Every_final_status_sends_incident_closed_after_status_changed(IncidentStatus from, IncidentStatus to, string summary)
    {
        var before = new IncidentEvents.Before(true, from, ResponseLevel.IV, []);
        var after = After(to, ResponseLevel.IV) with { MergedInto = to == IncidentStatus.Merged ? "INC-20260612-BBBBBBBB" : null };
        var events = IncidentEvents.Derive(before, after, []).ToList();
        Assert.Equal([IncidentEventKind.StatusChanged, IncidentEventKind.IncidentClosed], events.Select(e => e.Kind));
        Assert.Equal(summary, events[1].Summary);
    }

    [Fact]
    public void Nothing_partner_facing_changed_gives_no_event()
    {
        var before = new IncidentEvents.Before(true, IncidentStatus.Responding, ResponseLevel.III, ["D01"]);
        Assert.Empty(Kinds(before, After(IncidentStatus.Responding, ResponseLevel.III), "D01"));
        Assert.Empty(Kinds(before, After(IncidentStatus.Responding, ResponseLevel.III))); // a release is not a dispatch
    }

    /// <summary>
    /// A team a merge carries over was dispatched to the merged incident, not to this one now: partners read where it came from
    /// (it said "D05 dispatched", and its assignedAt was the merge's time). The kind stays TeamsDispatched, which partners subscribe to.
    /// </summary>
    [Fact]
    public void A_team_carried_over_by_a_merge_is_announced_as_carried_over_not_dispatched()
    {
        var before = new IncidentEvents.Before(true, IncidentStatus.Responding, ResponseLevel.IV, ["D01"]);
        var after = After(IncidentStatus.Responding, ResponseLevel.IV) with
        {
            Teams =
            [
                new IncidentTeam { TeamId = "D01", AssignedAt = DateTimeOffset.UnixEpoch },
                new IncidentTeam { TeamId = "D05", AssignedAt = DateTimeOffset.UnixEpoch, CarriedFrom = "INC-20260612-BBBBBBBB" },
            ],
        };
        var events = IncidentEvents.Derive(before, after, ["D01", "D05"]).ToList();
        Assert.Equal((IncidentEventKind.TeamsDispatched, "D05 carried over from INC-20260612-BBBBBBBB (merged in)"), Assert.Single(events));

        // Dispatched and carried in one change (never from one call today): both said, the dispatched first.
        var mixed = after with { Teams = [.. after.Teams, new IncidentTeam { TeamId = "T07", AssignedAt = DateTimeOffset.UnixEpoch }] };
        Assert.Equal("T07 dispatched; D05 carried over from INC-20260612-BBBBBBBB (merged in)",
            Assert.Single(IncidentEvents.Derive(before, mixed, ["D01", "D05", "T07"])).Summary);

        // A team released here once and dispatched again is dispatched, whatever brought it the first time.
        var again = after with
        {
            Teams = [new IncidentTeam { TeamId = "D05", AssignedAt = DateTimeOffset.UnixEpoch, CarriedFrom = "INC-20260612-BBBBBBBB", ReleasedAt = DateTimeOffset.UnixEpoch },
                     new IncidentTeam { TeamId = "D05", AssignedAt = DateTimeOffset.UnixEpoch }],
        };
        Assert.Equal("D05 dispatched", Assert.Single(IncidentEvents.Derive(before with { ActiveTeams = [] }, again, ["D05"])).Summary);
    }
}
