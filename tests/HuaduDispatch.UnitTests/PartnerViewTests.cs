using System.Text.Json;
using HuaduDispatch.Api.Realtime;
using HuaduDispatch.Contracts;
using HuaduDispatch.UnitTests.Agencies;

namespace HuaduDispatch.UnitTests;

/// <summary>What a partner agency reads of the district's records (<see cref="PartnerView"/>): the case, not the centre's staff.</summary>
public sealed class PartnerViewTests(TestClusterFixture fixture) : IClassFixture<TestClusterFixture>
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 8, 0, 0, TimeSpan.FromHours(8));

    private static DispatchTask Task(TaskIssuer issuer) => new()
    {
        Id = "INC-A/task-1", IncidentId = "INC-A", TeamId = "F01", Title = "Pump out the underpass", IssuedBy = issuer, IssuedByActor = "dispatcher-wang",
        Status = DispatchTaskStatus.Issued, IssuedAt = Now, DueAt = Now.AddHours(1), UpdatedAt = Now,
    };

    [Fact]
    public void A_level_set_by_hand_reads_as_set_by_the_centre_also_when_a_merge_carried_it_and_the_report_upward_is_left_out()
    {
        var incident = WebhookQueueTests.Incident("INC-A") with
        {
            LevelReason = "carried from INC-B (merged in): set by ops-commander-zhang: two villages cut off", LevelSetBy = "ops-commander-zhang",
            ReportUpward = new UpwardReportStatus { Owed = true, DueBy = Now, Tier = LeadingTier.City, Overdue = false, ReportedBy = "ops-commander-zhang" },
        };
        var seen = incident.ForPartner();
        Assert.Equal("carried from INC-B (merged in): set by the district command centre: two villages cut off", seen.LevelReason);
        Assert.Null(seen.LevelSetBy);
        Assert.Null(seen.ReportUpward);
        // A level graded from the figures names no one, and reads the same.
        var graded = WebhookQueueTests.Incident("INC-C") with { LevelReason = "graded IV: 2 trapped" };
        Assert.Equal(graded.LevelReason, graded.ForPartner().LevelReason);
    }

    [Fact]
    public void Tasks_and_situation_reports_name_the_body_that_acted_and_the_field_commander_stays()
    {
        Assert.Equal(PartnerView.Centre, Task(TaskIssuer.DistrictCentre).ForPartner().IssuedByActor);
        Assert.Equal(PartnerView.Post, Task(TaskIssuer.CommandPost).ForPartner().IssuedByActor);
        var post = new CommandPost
        {
            IncidentId = "INC-A", Commander = "Deputy district head Li", Position = new GeoPoint { Lat = 23.4, Lon = 113.2 }, SetUpAt = Now, Automatic = false,
            SitReps = [new SitRep { Number = 1, Kind = SitRepKind.Initial, Text = "water 1.2 m", At = Now, Actor = "ops-commander-zhang" }],
            Tasks = [Task(TaskIssuer.CommandPost)],
        };
        var seen = post.ForPartner();
        Assert.Equal("Deputy district head Li", seen.Commander);
        Assert.Equal((PartnerView.Post, "water 1.2 m"), (seen.SitReps[0].Actor, seen.SitReps[0].Text));
        Assert.Equal(PartnerView.Post, seen.Tasks[0].IssuedByActor);
    }

    [Fact]
    public void A_team_that_left_the_incident_shows_the_partner_neither_its_new_incident_nor_its_note()
    {
        var team = new RescueTeam
        {
            Id = "F01", NameZh = "消防一队", NameEn = "Fire 1", Level = TeamLevel.District, AreaId = "xinhua", Capabilities = [], Members = 12,
            HomeBase = new GeoPoint { Lat = 23.4, Lon = 113.2 }, Status = TeamStatus.EnRoute, StatusChangedAt = Now,
            Position = new TeamPosition { Lat = 23.4, Lon = 113.2, At = Now }, IncidentId = "INC-SECRET", StatusNote = "to the hostage scene",
        };
        Assert.Equal(team, team.ForPartnerOf("INC-SECRET"));
        var seen = team.ForPartnerOf("INC-A");
        Assert.Equal((null, null, TeamStatus.EnRoute), (seen.IncidentId, seen.StatusNote, seen.Status));
    }

    [Fact]
    public void The_partner_view_of_a_batch_keeps_its_numbers_and_kinds()
    {
        var incident = WebhookQueueTests.Incident("INC-A") with { LevelReason = "set by zhang: r", LevelSetBy = "zhang" };
        IReadOnlyList<Delta> batch =
        [
            new Delta { Scope = "incident:INC-A", Seq = 7, Kind = DeltaKinds.Incident, Id = "INC-A", Data = incident },
            new Delta { Scope = "incident:INC-A", Seq = 8, Kind = DeltaKinds.Task, Id = "INC-A/task-1", Data = Task(TaskIssuer.DistrictCentre) },
            new Delta { Scope = "incident:INC-A", Seq = 9, Kind = DeltaKinds.Scope, Id = "incident:INC-A", Data = null },
        ];
        var seen = DeltaRelay.ForPartner("incident:INC-A", batch);
        Assert.Equal(batch.Select(d => (d.Seq, d.Kind, d.Id)), seen.Select(d => (d.Seq, d.Kind, d.Id)));
        Assert.Equal("set by the district command centre: r", ((Incident)seen[0].Data!).LevelReason);
        Assert.Equal(PartnerView.Centre, ((DispatchTask)seen[1].Data!).IssuedByActor);
        Assert.DoesNotContain("zhang", JsonSerializer.Serialize(seen.Select(d => d.Data), DispatchJson.Options), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_merge_that_carries_a_level_set_by_hand_carries_who_set_it_so_partners_read_the_centre()
    {
        var grains = fixture.Cluster.GrainFactory;
        Assert.True((await grains.GetGrain<IReferenceDataGrain>(ReferenceData.GrainKey).Load(ReferenceDataValidatorTests.Minimal(), "partner-view")).Applied);
        var actor = new Actor { Subject = "cmdr-li", Role = Roles.Commander };
        var survivor = grains.GetGrain<IIncidentGrain>("INC-PARTNER-SURVIVOR");
        await survivor.Create(new CreateIncident
        {
            Type = IncidentType.Flood, Title = "Waterlogging at Xinhua market", OccurredAt = DateTimeOffset.UtcNow, Source = "console",
            Location = new IncidentLocation { Lat = 23.401, Lon = 113.221, AreaId = "xinhua" }, Assessment = new AssessmentUpdate { Affected = 10 },
        }, actor);
        var mergedCase = new MergedCase
        {
            Assessment = new Assessment { Affected = 5 }, Level = ResponseLevel.II, LevelReason = "set by ops-commander-zhang: dam at risk",
            LevelSetBy = "ops-commander-zhang", CommandPost = false, HadRelief = false,
        };
        var taken = await survivor.Absorb("INC-PARTNER-MERGED", mergedCase, actor);
        Assert.Equal((ResponseLevel.II, "ops-commander-zhang"), (taken.ResponseLevel, taken.LevelSetBy));
        Assert.Equal("carried from INC-PARTNER-MERGED (merged in): set by the district command centre: dam at risk", taken.ForPartner().LevelReason);
    }
}
