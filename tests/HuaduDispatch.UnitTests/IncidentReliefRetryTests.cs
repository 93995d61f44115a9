using HuaduDispatch.Contracts;

namespace HuaduDispatch.UnitTests;

/// <summary>
/// An incident whose relief demand could not be told about its people tells it again with its next change, and, if no change
/// comes, by its durable reminder.
/// </summary>
[Collection(FaultClusterFixture.Collection)]
public sealed class IncidentReliefRetryTests(FaultClusterFixture fixture) : IClassFixture<FaultClusterFixture>
{
    private static readonly Actor Dispatcher = new() { Subject = "dispatcher-wang", Role = Roles.Dispatcher };

    [Fact]
    public async Task A_failed_relief_update_is_sent_again_with_the_next_change_even_when_the_people_did_not_change()
    {
        var grains = fixture.Cluster.GrainFactory;
        Assert.True((await grains.GetGrain<IReferenceDataGrain>(ReferenceData.GrainKey).Load(ReferenceDataValidatorTests.Minimal(), "retry-test")).Applied);
        var incident = grains.GetGrain<IIncidentGrain>("INC-RETRY");
        var people = new Assessment { Affected = 40, Relocated = 10 };

        FaultClusterFixture.FailReliefDemandUpdate = true;
        try
        {
            var e = await Assert.ThrowsAnyAsync<Exception>(() => incident.Create(new CreateIncident
            {
                Type = IncidentType.Flood, Title = "Waterlogging at Xinhua market", OccurredAt = DateTimeOffset.UtcNow, Source = "console",
                Location = new IncidentLocation { Lat = 23.401, Lon = 113.221, AreaId = "xinhua" }, Assessment = AssessmentUpdate.All(people),
            }, Dispatcher));
            Assert.Contains("injected", e.Message);
        }
        finally
        {
            FaultClusterFixture.FailReliefDemandUpdate = false;
        }
        Assert.NotNull(await incident.Get()); // the incident itself was saved
        Assert.Null(await grains.GetGrain<IReliefDemandGrain>("INC-RETRY").Get());

        // The next change keeps the same people: the demand still gets them.
        await incident.Assess(AssessmentUpdate.All(people with { Injured = 2 }), Dispatcher);
        var relief = await grains.GetGrain<IReliefDemandGrain>("INC-RETRY").Get();
        Assert.NotNull(relief);
        Assert.Equal(40, relief.Affected);
        Assert.Equal(10, relief.Relocated);
    }

    [Fact]
    public async Task A_failed_relief_update_is_sent_again_by_the_reminder_when_no_other_change_comes()
    {
        var grains = fixture.Cluster.GrainFactory;
        Assert.True((await grains.GetGrain<IReferenceDataGrain>(ReferenceData.GrainKey).Load(ReferenceDataValidatorTests.Minimal(), "resend-test")).Applied);
        var incident = grains.GetGrain<IIncidentGrain>("INC-RESEND");

        FaultClusterFixture.FailReliefDemandUpdate = true;
        try
        {
            await Assert.ThrowsAnyAsync<Exception>(() => incident.Create(new CreateIncident
            {
                Type = IncidentType.Flood, Title = "Waterlogging at Xinhua market", OccurredAt = DateTimeOffset.UtcNow, Source = "console",
                Location = new IncidentLocation { Lat = 23.401, Lon = 113.221, AreaId = "xinhua" }, Assessment = new AssessmentUpdate { Affected = 60, Relocated = 20 },
            }, Dispatcher));
        }
        finally
        {
            FaultClusterFixture.FailReliefDemandUpdate = false;
        }
        Assert.Null(await grains.GetGrain<IReliefDemandGrain>("INC-RESEND").Get());

        // Nothing else happens to the incident: its reminder (due 1 s after the change here) tells the demand.
        IncidentRelief? relief = null;
        for (var i = 0; i < 150 && relief is null; i++)
        {
            await Task.Delay(100);
            relief = await grains.GetGrain<IReliefDemandGrain>("INC-RESEND").Get();
        }
        Assert.NotNull(relief);
        Assert.Equal(60, relief.Affected);
        Assert.Equal(20, relief.Relocated);
        // Once the demand has it, the reminder is removed: the tick removes it right after the demand's answer, which the poll
        // above can see first, so the row is read again until it goes (or 15 s pass: a busy machine can hold the tick's turn).
        var grainId = ((GrainReference)incident).GrainId;
        var row = await fixture.Reminders.ReadRow(grainId, "relief-resend");
        for (var i = 0; i < 150 && row is not null; i++)
        {
            await Task.Delay(100);
            row = await fixture.Reminders.ReadRow(grainId, "relief-resend");
        }
        Assert.Null(row);
    }
}
