using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Shelters;

namespace HuaduDispatch.UnitTests;

/// <summary>
/// A shelter closure tells the reliefs whose places it dropped until each confirms: a notice lost on the way (a node going away
/// right after the closure's write) is sent again by the shelter's reminder (the typhoon-night tester's F6, thirty-first session:
/// five reliefs listed a closed shelter for 384 people, with nothing to repair it).
/// </summary>
[Collection(FaultClusterFixture.Collection)]
public sealed class ShelterClosureNoticeTests(FaultClusterFixture fixture) : IClassFixture<FaultClusterFixture>
{
    private static readonly Actor Dispatcher = new() { Subject = "dispatcher-wang", Role = Roles.Dispatcher };

    [Fact]
    public async Task A_closure_notice_that_was_lost_is_told_again_until_the_relief_confirms_it()
    {
        var grains = fixture.Cluster.GrainFactory;
        var square = new Shelter
        {
            Id = "S-NOTICE", NameZh = "广场", NameEn = "Xinhua square", Kind = ShelterKind.Square, AreaId = "xinhua",
            Position = new GeoPoint { Lat = 23.401, Lon = 113.221 }, Capacity = 500, FloorAreaM2 = 1000,
        };
        Assert.True((await grains.GetGrain<IReferenceDataGrain>(ReferenceData.GrainKey).Load(ReferenceDataValidatorTests.Minimal() with { Shelters = [square] }, "closure-notice-test")).Applied);
        await grains.GetGrain<IIncidentGrain>("INC-NOTICE").Create(new CreateIncident
        {
            Type = IncidentType.Flood, Title = "Waterlogging at Xinhua market", OccurredAt = DateTimeOffset.UtcNow, Source = "console",
            Location = new IncidentLocation { Lat = 23.401, Lon = 113.221, AreaId = "xinhua" }, Assessment = new AssessmentUpdate { Affected = 30, Relocated = 30 },
        }, Dispatcher);
        var relief = grains.GetGrain<IReliefDemandGrain>("INC-NOTICE");
        Assert.Equal(new Dictionary<string, int> { ["S-NOTICE"] = 30 }, (await relief.Get())!.Shelters);

        Volatile.Write(ref FaultClusterFixture.DropShelterClosed, 1);
        await grains.GetGrain<IShelterGrain>("S-NOTICE").SetOccupancy(new ShelterOccupancyRequest { Occupancy = 0, Open = false, Note = "landslide threat" }, Dispatcher);
        await Task.Delay(500);
        Assert.Equal(0, Volatile.Read(ref FaultClusterFixture.DropShelterClosed)); // the notice was sent, and lost
        Assert.True((await relief.Get())!.Shelters.ContainsKey("S-NOTICE"));

        // The shelter's reminder tells it again: the relief drops the closed shelter and says its people have no place.
        IncidentRelief? told = null;
        for (var i = 0; i < 300 && told is null; i++)
        {
            await Task.Delay(100);
            if (await relief.Get() is { } now && !now.Shelters.ContainsKey("S-NOTICE")) told = now;
        }
        Assert.NotNull(told);
        Assert.Contains(told.Alerts, a => a.StartsWith("ShelterShort: 30 relocated people have no shelter place", StringComparison.Ordinal));
        // Confirmed: the shelter owes the relief nothing more.
        ShelterState? stored = null;
        for (var i = 0; i < 50 && stored?.OwedClosures.Count != 0; i++)
        {
            await Task.Delay(100);
            stored = await fixture.Stored<ShelterState>("shelter", grains.GetGrain<IShelterGrain>("S-NOTICE").GetGrainId());
        }
        Assert.Empty(stored!.OwedClosures);
    }
}
