using HuaduDispatch.Contracts;
using HuaduDispatch.Grains;
using HuaduDispatch.Grains.Relief.Grains;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;

namespace HuaduDispatch.UnitTests;

/// <summary>
/// A team or shelter change whose state write fails is not stored later by another change: the activation starts again from
/// its stored state (the storage fails the writes of one state name while a test asks).
/// </summary>
[Collection(FaultClusterFixture.Collection)]
public sealed class WriteFailureTests(FaultClusterFixture fixture) : IClassFixture<FaultClusterFixture>
{
    private static readonly Actor Dispatcher = new() { Subject = "dispatcher", Role = Roles.Dispatcher };

    [Fact]
    public async Task An_assignment_whose_write_failed_is_not_stored_by_the_teams_next_report()
    {
        var grains = fixture.Cluster.GrainFactory;
        var set = ReferenceDataValidatorTests.Minimal();
        set = set with { Teams = [set.Teams[0] with { Id = "T-FAIL" }] };
        await grains.GetGrain<IReferenceDataGrain>(ReferenceData.GrainKey).Load(set, "write-failure-1");
        var team = grains.GetGrain<IRescueTeamGrain>("T-FAIL");
        var before = (await team.Get())!;

        await FailingWrites.Refused("team", () => team.Assign("INC-LOST", Dispatcher));
        await team.ReportPosition(new TeamPositionReport { Lat = 23.41, Lon = 113.21 }, Dispatcher); // writes the team again

        var after = (await team.Get())!;
        Assert.Null(after.IncidentId);
        Assert.Equal(before.Status, after.Status);
        Assert.Equal(23.41, after.Position.Lat);
    }

    [Fact]
    public async Task A_head_count_whose_write_failed_is_not_stored_by_the_next_placement()
    {
        var shelter = fixture.Cluster.GrainFactory.GetGrain<IShelterGrain>("S-FAIL");
        await shelter.ApplyDefinition(new Shelter
        {
            Id = "S-FAIL", NameZh = "S-FAIL", NameEn = "S-FAIL", Kind = ShelterKind.School, AreaId = "xinhua", Position = new GeoPoint { Lat = 23.4, Lon = 113.2 },
            Capacity = 100, FloorAreaM2 = 200,
        });

        await FailingWrites.Refused("shelter", () => shelter.SetOccupancy(new ShelterOccupancyRequest { Occupancy = 90, Open = true }, Dispatcher));
        Assert.Equal(30, await shelter.Admit("INC-S", 30, Dispatcher)); // 100 places, none taken as far as the store knows

        var live = (await shelter.Get())!;
        Assert.Equal(30, live.Occupancy);
    }
}

/// <summary>A convoy status whose write failed is stored when the caller retries it (it was taken for a stored retry before).</summary>
[Collection(FaultClusterFixture.Collection)]
public sealed class ShipmentWriteFailureTests(FaultClusterFixture fixture) : IClassFixture<FaultClusterFixture>
{
    [Fact]
    public async Task A_status_whose_write_failed_is_stored_when_the_caller_retries_it()
    {
        var grains = fixture.Cluster.GrainFactory;
        var now = DateTimeOffset.UtcNow;
        var shipment = grains.GetGrain<IShipmentGrain>("SH-FAIL");
        await shipment.Create(new Shipment
        {
            Id = "SH-FAIL", IncidentId = "INC-SH-FAIL", WarehouseId = "WH-SH-FAIL", Lines = [new ItemQuantity { ItemCode = "drinking-water", Quantity = 10 }],
            Status = ShipmentStatus.Planned, Trucks = 1, Departure = now, Eta = now.AddHours(1), DistanceKm = 5, ReservationId = "R-SH-FAIL",
            PlanId = 1, UpdatedAt = now,
        });
        var loading = new ShipmentStatusRequest { Status = ShipmentStatus.Loading };
        var dispatcher = new Actor { Subject = "dispatcher", Role = Roles.Dispatcher };

        await FailingWrites.Refused("shipment", () => shipment.UpdateStatus(loading, dispatcher));
        Assert.Equal(ShipmentStatus.Loading, (await shipment.UpdateStatus(loading, dispatcher)).Status); // the retry

        var stored = await fixture.Stored<ShipmentState>("shipment", ((GrainReference)shipment).GrainId);
        Assert.Equal(ShipmentStatus.Loading, stored?.Shipment?.Status);
    }
}

/// <summary>A relief demand's first update whose write failed registers the deadline reminder when it is retried.</summary>
[Collection(FaultClusterFixture.Collection)]
public sealed class ReliefDemandWriteFailureTests(FaultClusterFixture fixture) : IClassFixture<FaultClusterFixture>
{
    [Fact]
    public async Task A_first_update_whose_write_failed_still_registers_the_deadline_reminder_when_retried()
    {
        var demand = fixture.Cluster.GrainFactory.GetGrain<IReliefDemandGrain>("INC-RD-FAIL");
        var update = new ReliefDemandUpdate
        {
            Type = IncidentType.Flood, Location = new GeoPoint { Lat = 23.40, Lon = 113.22 }, OccurredAt = DateTimeOffset.UtcNow,
            Affected = 10, Relocated = 0, Priority = 2, Open = true, AreaId = "xinhua",
        };
        var dispatcher = new Actor { Subject = "dispatcher", Role = Roles.Dispatcher };

        await FailingWrites.Refused("relief-demand", () => demand.Update(update, dispatcher));
        await demand.Update(update, dispatcher); // the incident sends it again with its next change

        var row = await fixture.Reminders.ReadRow(((GrainReference)demand).GrainId, "relief-deadline");
        Assert.NotNull(row);
    }
}

/// <summary>An incident the relief coordinator failed to store as tracked is stored when the demand tells it again.</summary>
[Collection(FaultClusterFixture.Collection)]
public sealed class ReliefCoordinatorWriteFailureTests(FaultClusterFixture fixture) : IClassFixture<FaultClusterFixture>
{
    [Fact]
    public async Task A_track_whose_write_failed_is_stored_when_it_is_sent_again()
    {
        var coordinator = fixture.Cluster.GrainFactory.GetGrain<IReliefCoordinatorGrain>(ReliefCoordinator.GrainKey);
        await FailingWrites.Refused("relief-coordinator", () => coordinator.Track("INC-TRACK-FAIL"), oneWay: true);
        await coordinator.Track("INC-TRACK-FAIL"); // the demand sends it again with its next update
        await coordinator.GetTracked();           // after the one-way call

        var stored = await fixture.Stored<ReliefCoordinatorState>("relief-coordinator", ((GrainReference)coordinator).GrainId);
        Assert.Contains("INC-TRACK-FAIL", stored?.Tracked ?? []);
    }
}
