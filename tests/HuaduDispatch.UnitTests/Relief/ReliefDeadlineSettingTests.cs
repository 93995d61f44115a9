using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Relief.Grains;
using Orleans.Core.Internal;

namespace HuaduDispatch.UnitTests.Relief;

/// <summary>
/// A relief's deadline and late relief end are fixed when its demand is created: a node started again with another
/// <c>Relief:Deadline</c> or <c>Relief:LateReliefUntil</c> (here: the silo's settings changed, then the demand's activation
/// dropped) does not move them, as its deadline reminder keeps the old time too.
/// </summary>
[Collection(FaultClusterFixture.Collection)]
public sealed class ReliefDeadlineSettingTests(FaultClusterFixture fixture) : IClassFixture<FaultClusterFixture>
{
    private static readonly Actor Dispatcher = new() { Subject = "dispatcher-wang", Role = Roles.Dispatcher };
    private IGrainFactory Grains => fixture.Cluster.GrainFactory;

    private static ReliefDemandUpdate Flood(DateTimeOffset occurredAt) => new()
    {
        Type = IncidentType.Flood, Location = new GeoPoint { Lat = 23.40, Lon = 113.22 }, OccurredAt = occurredAt,
        Affected = 30, Relocated = 0, Priority = 2, Open = true, AreaId = "xinhua",
    };

    /// <summary>Runs <paramref name="test"/>, then puts the silo's relief settings back.</summary>
    private async Task WithSettingsRestored(Func<Task> test)
    {
        var settings = fixture.ReliefSettings;
        var (deadline, lateUntil) = (settings.Deadline, settings.LateReliefUntil);
        try
        {
            await test();
        }
        finally
        {
            settings.Deadline = deadline;
            settings.LateReliefUntil = lateUntil;
        }
    }

    private static async Task Restart(IReliefDemandGrain demand) => await demand.AsReference<IGrainManagementExtension>().DeactivateOnIdle();

    [Fact]
    public async Task A_changed_deadline_setting_does_not_move_the_deadline_of_a_relief_created_before_it() => await WithSettingsRestored(async () =>
    {
        await Grains.GetGrain<IReferenceDataGrain>(ReferenceData.GrainKey).Load(ReferenceDataValidatorTests.Minimal(), "deadline-fixed");
        var settings = fixture.ReliefSettings;
        settings.Deadline = TimeSpan.FromHours(3);
        settings.LateReliefUntil = TimeSpan.FromHours(24);
        var occurredAt = DateTimeOffset.UtcNow.AddMinutes(-10);
        var demand = Grains.GetGrain<IReliefDemandGrain>("INC-DL-FIXED");
        await demand.Update(Flood(occurredAt), Dispatcher);
        Assert.Equal(occurredAt.AddHours(3), (await demand.Get())!.Deadline);

        // The node starts again with a 4-minute deadline and 5 hours of late relief.
        settings.Deadline = TimeSpan.FromMinutes(4);
        settings.LateReliefUntil = TimeSpan.FromHours(5);
        await Restart(demand);

        var relief = (await demand.Get())!;
        Assert.Equal(occurredAt.AddHours(3), relief.Deadline); // before: occurredAt + 4 min, 6 min in the past
        Assert.Equal(ReliefStatus.OnTrack, relief.Status);
        var input = (await demand.GetPlanningInput())!;
        Assert.Equal((occurredAt.AddHours(3), occurredAt.AddHours(24)), (input.Deadline, input.LateUntil));

        // A relief created under the new setting has the new deadline.
        var later = Grains.GetGrain<IReliefDemandGrain>("INC-DL-NEW");
        await later.Update(Flood(occurredAt), Dispatcher);
        Assert.Equal(occurredAt.AddMinutes(4), (await later.Get())!.Deadline);
    });

    [Fact]
    public async Task A_relief_stored_without_its_deadline_takes_it_from_the_setting_once_and_keeps_it() => await WithSettingsRestored(async () =>
    {
        await Grains.GetGrain<IReferenceDataGrain>(ReferenceData.GrainKey).Load(ReferenceDataValidatorTests.Minimal(), "deadline-filled");
        var settings = fixture.ReliefSettings;
        var occurredAt = DateTimeOffset.UtcNow.AddMinutes(-10);
        var demand = Grains.GetGrain<IReliefDemandGrain>("INC-DL-OLD");
        var id = ((GrainReference)demand).GrainId;
        // As stored before the deadline was kept: no deadline, no late relief end.
        await fixture.Store("relief-demand", id, new ReliefDemandState
        {
            Created = true, Incident = Flood(occurredAt), Needed = new(StringComparer.Ordinal) { ["blanket"] = 30 }, UpdatedAt = occurredAt,
        });

        settings.Deadline = TimeSpan.FromHours(2);
        settings.LateReliefUntil = TimeSpan.FromHours(12);
        Assert.Equal(occurredAt.AddHours(2), (await demand.Get())!.Deadline);
        var stored = await fixture.Stored<ReliefDemandState>("relief-demand", id);
        Assert.Equal((occurredAt.AddHours(2), occurredAt.AddHours(12)), (stored!.Deadline, stored.LateUntil));

        settings.Deadline = TimeSpan.FromMinutes(4);
        settings.LateReliefUntil = TimeSpan.FromHours(5);
        await Restart(demand);
        Assert.Equal(occurredAt.AddHours(2), (await demand.Get())!.Deadline);
        Assert.Equal(occurredAt.AddHours(12), (await demand.GetPlanningInput())!.LateUntil);
    });
}
