using HuaduDispatch.Contracts;

namespace HuaduDispatch.UnitTests;

/// <summary>
/// A survivor closed after a merge was checked still takes the merged incident's case: its people are housed and relieved all
/// the same; its level stays. A retried case is taken once, and a merge note appended again after a failure is kept once.
/// </summary>
public sealed class MergeAbsorbTests(TestClusterFixture fixture) : IClassFixture<TestClusterFixture>
{
    private static readonly Actor Commander = new() { Subject = "cmdr-li", Role = Roles.Commander };

    [Fact]
    public async Task A_survivor_closed_meanwhile_takes_the_figures_once_and_keeps_its_level()
    {
        var grains = fixture.Cluster.GrainFactory;
        Assert.True((await grains.GetGrain<IReferenceDataGrain>(ReferenceData.GrainKey).Load(ReferenceDataValidatorTests.Minimal(), "merge-absorb")).Applied);
        var survivor = grains.GetGrain<IIncidentGrain>("INC-ABSORB-CLOSED");
        await survivor.Create(new CreateIncident
        {
            Type = IncidentType.Flood, Title = "Waterlogging at Xinhua market", OccurredAt = DateTimeOffset.UtcNow, Source = "console",
            Location = new IncidentLocation { Lat = 23.401, Lon = 113.221, AreaId = "xinhua" }, Assessment = new AssessmentUpdate { Affected = 10 },
        }, Commander);
        foreach (var to in new[] { IncidentStatus.Responding, IncidentStatus.Contained, IncidentStatus.Recovery, IncidentStatus.Closed })
            await survivor.Transition(new TransitionRequest { To = to, Reason = "water receded" }, Commander);

        var mergedCase = new MergedCase
        {
            Assessment = new Assessment { Affected = 50, Dead = 3 }, Level = ResponseLevel.III, LevelReason = "III: 3 dead", CommandPost = false, HadRelief = false,
        };
        var taken = await survivor.Absorb("INC-ABSORB-DUP", mergedCase, Commander);
        Assert.Equal((60, 3, ResponseLevel.IV, IncidentStatus.Closed), (taken.Assessment.Affected, taken.Assessment.Dead, taken.ResponseLevel, taken.Status));
        var again = await survivor.Absorb("INC-ABSORB-DUP", mergedCase, Commander); // the merged incident's retry
        Assert.Equal(60, again.Assessment.Affected);
        var timeline = await grains.GetGrain<IIncidentTimelineGrain>("INC-ABSORB-CLOSED").Get();
        Assert.Single(timeline, e => e.Summary.Contains("figures of INC-ABSORB-DUP (merged in) added", StringComparison.Ordinal));
        Assert.Contains(timeline, e => e.Kind == "LevelHeld" && e.Summary.Contains("was at level III; this incident is closed and stays at IV", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_merge_note_appended_again_after_a_failure_is_kept_once()
    {
        var timeline = fixture.Cluster.GrainFactory.GetGrain<IIncidentTimelineGrain>("INC-NOTE-TWICE");
        var note = new TimelineEntry { Seq = 0, At = DateTimeOffset.UtcNow, Actor = "cmdr-li", Kind = "MergedIn", Summary = "Merged in: INC-DUP (same street)" };
        await timeline.Append([note]);
        await timeline.Append([note]); // the merged incident's next activation, its clear not stored
        await timeline.Append([note with { Summary = "Merged in: INC-OTHER (same street)" }]);
        Assert.Equal(["Merged in: INC-DUP (same street)", "Merged in: INC-OTHER (same street)"], (await timeline.Get()).Select(e => e.Summary));
    }
}
