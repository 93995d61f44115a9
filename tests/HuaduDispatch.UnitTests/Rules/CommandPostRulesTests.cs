using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Dispatch.Rules;

namespace HuaduDispatch.UnitTests.Rules;

public sealed class CommandPostRulesTests
{
    private static readonly GeoPoint Incident = new() { Lat = 23.39, Lon = 113.29 };
    private static readonly GeoPoint Moved = new() { Lat = 23.394, Lon = 113.294 };
    private const string Duty = "duty commander";

    private static readonly CommandPost Current = new()
    {
        IncidentId = "INC", Commander = "Wang Fang", Position = new GeoPoint { Lat = 23.392, Lon = 113.292 },
        SetUpAt = DateTimeOffset.UnixEpoch, Automatic = true, SitReps = [],
    };

    [Fact]
    public void A_set_up_takes_the_defaults_for_the_fields_left_out()
    {
        Assert.Equal((Duty, Incident, (string?)null), CommandPostRules.Apply(null, new CommandPostRequest(), Duty, Incident));
        Assert.Equal(("Li Ming", Moved, (string?)null), CommandPostRules.Apply(null, new CommandPostRequest { Commander = " Li Ming ", Position = Moved }, Duty, Incident));
    }

    [Fact]
    public void An_update_keeps_the_fields_left_out_and_says_what_changed()
    {
        Assert.Equal(("Wang Fang", Current.Position, (string?)null), CommandPostRules.Apply(Current, new CommandPostRequest(), Duty, Incident));
        Assert.Equal(("Li Ming", Current.Position, "commander Wang Fang -> Li Ming"),
            CommandPostRules.Apply(Current, new CommandPostRequest { Commander = "Li Ming" }, Duty, Incident));
        Assert.Equal(("Wang Fang", Moved, "moved to 23.394, 113.294"),
            CommandPostRules.Apply(Current, new CommandPostRequest { Position = Moved }, Duty, Incident));
        Assert.Equal(("Wang Fang", Current.Position, (string?)null),
            CommandPostRules.Apply(Current, new CommandPostRequest { Commander = "Wang Fang", Position = Current.Position }, Duty, Incident));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void A_blank_commander_is_a_400_naming_the_field(string commander)
    {
        foreach (var current in new[] { null, Current })
        {
            var e = Assert.Throws<DomainException>(() => CommandPostRules.Apply(current, new CommandPostRequest { Commander = commander }, Duty, Incident));
            Assert.Equal((DomainErrorKind.Invalid, "commander"), (e.Kind, e.Field));
        }
    }

    [Theory]
    [InlineData(IncidentStatus.Closed)]
    [InlineData(IncidentStatus.Cancelled)]
    public void After_the_close_only_the_final_situation_report_is_taken(IncidentStatus status)
    {
        foreach (var kind in new[] { SitRepKind.Initial, SitRepKind.Update })
        {
            var e = Assert.Throws<DomainException>(() => CommandPostRules.CheckSitRepAllowed(status, kind));
            Assert.Equal(DomainErrorKind.Conflict, e.Kind);
            Assert.Contains("only the Final situation report", e.Message);
        }
        CommandPostRules.CheckSitRepAllowed(status, SitRepKind.Final);
    }

    [Theory]
    [InlineData(IncidentStatus.Reported)]
    [InlineData(IncidentStatus.Responding)]
    [InlineData(IncidentStatus.Contained)]
    public void An_open_incident_takes_every_kind_of_situation_report(IncidentStatus status)
    {
        foreach (var kind in Enum.GetValues<SitRepKind>()) CommandPostRules.CheckSitRepAllowed(status, kind);
    }

    [Fact]
    public void The_timeline_names_the_report_by_number_and_kind()
    {
        var report = new SitRep { Number = 3, Kind = SitRepKind.Update, Text = "road closed", At = DateTimeOffset.UnixEpoch, Actor = "cmd" };
        Assert.Equal("situation report 3 (Update): road closed", CommandPostRules.SitRepSummary(report));
    }
}
