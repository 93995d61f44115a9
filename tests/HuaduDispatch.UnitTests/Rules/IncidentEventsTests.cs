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
}
