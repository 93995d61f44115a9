using HuaduDispatch.Contracts;
using HuaduDispatch.Grains;
using HuaduDispatch.Grains.Api;
using HuaduDispatch.Grains.Dispatch;
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

    /// <summary>
    /// The window between a failed write and the activation being dropped: calls that queued behind the failing change while its
    /// write was in flight must not see the change (it was never stored), nor store it with their own write.
    /// </summary>
    [Fact]
    public async Task Calls_queued_behind_an_assignment_whose_write_failed_see_and_store_only_the_stored_team()
    {
        var grains = fixture.Cluster.GrainFactory;
        var set = ReferenceDataValidatorTests.Minimal();
        set = set with { Teams = [set.Teams[0] with { Id = "T-FAIL-Q" }] };
        await grains.GetGrain<IReferenceDataGrain>(ReferenceData.GrainKey).Load(set, "write-failure-queued");
        var team = grains.GetGrain<IRescueTeamGrain>("T-FAIL-Q");
        var before = (await team.Get())!;

        var (read, reported) = await FailingWrites.RefusedWhileQueued("team", () => team.Assign("INC-LOST-Q", Dispatcher), async () =>
        {
            var read = team.Get();
            var reported = team.ReportPosition(new TeamPositionReport { Lat = 23.42, Lon = 113.22 }, Dispatcher);
            return (await read, await reported);
        }, TimeSpan.FromMilliseconds(300));

        Assert.Null(read!.IncidentId);
        Assert.Equal(before.Status, read.Status);
        Assert.Null(reported.IncidentId);
        Assert.Equal(23.42, reported.Position.Lat);
        var stored = await fixture.Stored<HuaduDispatch.Grains.Teams.RescueTeamState>("team", ((GrainReference)team).GrainId);
        Assert.Null(stored?.IncidentId);
        Assert.Equal(23.42, stored?.Position?.Lat);
    }

    /// <summary>
    /// The agency's subscription reads interleave with its changes (an outbox asks while the agency waits on it), so they can
    /// run while a change waits on its write: they must answer what is stored, or an outbox could deliver to an endpoint, or with
    /// a url or secret, that the partner was told failed.
    /// </summary>
    [Fact]
    public async Task Subscription_reads_during_a_webhook_change_whose_write_fails_answer_only_what_is_stored()
    {
        var grains = fixture.Cluster.GrainFactory;
        var admin = new Actor { Subject = "admin-1", Role = Roles.Admin };
        await grains.GetGrain<IAgencyRegistryGrain>(0).Create(Agencies.AgencyRulesTests.Valid("water-fail-test"), admin);
        var agency = grains.GetGrain<IAgencyGrain>("water-fail-test");
        await agency.AddWebhook(new WebhookRequest
        {
            Id = "main", Url = "http://127.0.0.1:9/hook", Events = ["LevelChanged"], Secret = Agencies.AgencyRulesTests.Secret, Active = false,
        }, admin);
        var rotated = new string('r', Agencies.AgencyRulesTests.Secret.Length);

        var (added, rotating) = await FailingWrites.RefusedWhileHeld("agency", () => agency.AddWebhook(new WebhookRequest
        {
            Id = "second", Url = "http://127.0.0.1:9/second", Events = ["LevelChanged"], Secret = Agencies.AgencyRulesTests.Secret, Active = false,
        }, admin), async () => (await agency.HasWebhook("second"), await agency.GetSubscriptions()));
        Assert.False(added);
        Assert.Equal(["main"], rotating.Select(w => w.WebhookId));

        var during = await FailingWrites.RefusedWhileHeld("agency", () => agency.UpdateWebhook("main", new WebhookRequest
        {
            Url = "http://127.0.0.1:9/moved", Events = ["LevelChanged"], Secret = rotated, Active = false,
        }, admin), () => agency.GetSubscriptions());
        var main = Assert.Single(during);
        Assert.Equal(("http://127.0.0.1:9/hook", Agencies.AgencyRulesTests.Secret), (main.Url, main.Secret));

        Assert.Equal(["main"], (await agency.GetSubscriptions()).Select(w => w.WebhookId)); // after the restart, too
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

    [Fact]
    public async Task An_amendment_cut_short_after_the_warehouse_changed_the_reservation_is_finished_before_the_convoy_is_read_again()
    {
        var grains = fixture.Cluster.GrainFactory;
        var warehouse = await WarehouseConcurrencyTests.OneWarehouse(grains, "WH-SH-AMEND", water: 100);
        Assert.True(await warehouse.Reserve("SH-AMEND", [new ReservationLine { ItemCode = "drinking-water", Quantity = 30 }], Actor.System));
        var now = DateTimeOffset.UtcNow;
        var shipment = grains.GetGrain<IShipmentGrain>("SH-AMEND");
        await shipment.Create(new Shipment
        {
            Id = "SH-AMEND", IncidentId = "INC-SH-AMEND", WarehouseId = "WH-SH-AMEND", Lines = [new ItemQuantity { ItemCode = "drinking-water", Quantity = 30 }],
            Status = ShipmentStatus.Planned, Trucks = 1, Departure = now.AddMinutes(40), Eta = now.AddHours(1), DistanceKm = 5,
            ReservationId = "SH-AMEND", PlanId = 1, UpdatedAt = now,
        });
        var amendment = new ShipmentAmendment
        {
            Lines = [new ItemQuantity { ItemCode = "drinking-water", Quantity = 50 }], Trucks = 1, Departure = now.AddMinutes(40),
            Eta = now.AddMinutes(70), DistanceKm = 5, PlanId = 2,
        };

        // The intent is stored and the warehouse now holds 50, but the shipment's own write of the amended lines fails, as if
        // the node had stopped there: the stored shipment still lists 30.
        await FailingWrites.Refused("shipment", () => shipment.Amend(amendment), passFirst: 1);
        Assert.Equal(50, (await warehouse.Get())!.Stock.Single().Reserved);
        var cut = await fixture.Stored<ShipmentState>("shipment", ((GrainReference)shipment).GrainId);
        Assert.Equal(30, cut?.Shipment?.Lines.Single().Quantity);
        Assert.Equal(50, cut?.Amending?.Lines.Single().Quantity);

        // The next activation finishes it before anything reads the convoy: it lists what its reservation holds.
        Assert.Equal(50, (await shipment.Get())!.Lines.Single().Quantity);
        var settled = await fixture.Stored<ShipmentState>("shipment", ((GrainReference)shipment).GrainId);
        Assert.Equal((50L, true), (settled?.Shipment?.Lines.Single().Quantity ?? 0, settled?.Amending is null));
        var dispatcher = new Actor { Subject = "dispatcher", Role = Roles.Dispatcher };
        await shipment.UpdateStatus(new ShipmentStatusRequest { Status = ShipmentStatus.Departed }, dispatcher);
        var water = (await warehouse.Get())!.Stock.Single();
        Assert.Equal((50L, 0L), (water.OnHand, water.Reserved));
    }
}

/// <summary>
/// A relief demand's first update whose write failed registers the deadline reminder when it is retried; a Breached note whose
/// incident write failed is sent again at the next deadline check and recorded once.
/// </summary>
[Collection(FaultClusterFixture.Collection)]
public sealed class ReliefDemandWriteFailureTests(FaultClusterFixture fixture) : IClassFixture<FaultClusterFixture>
{
    private static readonly Actor Dispatcher = new() { Subject = "dispatcher", Role = Roles.Dispatcher };

    [Fact]
    public async Task A_first_update_whose_write_failed_still_registers_the_deadline_reminder_when_retried()
    {
        var demand = fixture.Cluster.GrainFactory.GetGrain<IReliefDemandGrain>("INC-RD-FAIL");
        var update = new ReliefDemandUpdate
        {
            Type = IncidentType.Flood, Location = new GeoPoint { Lat = 23.40, Lon = 113.22 }, OccurredAt = DateTimeOffset.UtcNow,
            Affected = 10, Relocated = 0, Priority = 2, Open = true, AreaId = "xinhua",
        };

        await FailingWrites.Refused("relief-demand", () => demand.Update(update, Dispatcher));
        await demand.Update(update, Dispatcher); // the incident sends it again with its next change

        var row = await fixture.Reminders.ReadRow(((GrainReference)demand).GrainId, "relief-deadline");
        Assert.NotNull(row);
    }

    [Fact]
    public async Task A_breached_note_the_incident_failed_to_store_is_sent_again_and_recorded_once()
    {
        // Occurred 3 h 20 min ago: the demand's deadline has passed and its reminder checks it about a second after it is created.
        // The reminder judges Breached and sends the note; the incident's write of it fails.
        var (incident, demand) = await FloodedVillageWithTheNextIncidentWriteFailing("INC-NOTE-FAIL", DateTimeOffset.UtcNow.AddMinutes(-200));
        Assert.Equal(ReliefStatus.Breached, (await demand.Get())!.Status);
        Assert.DoesNotContain(ReliefStatus.Breached, (await StoredIncident())?.ReliefNoted ?? []);

        await demand.CheckDeadline(); // the next reminder tick
        await Until(async () => (await StoredDemand())?.NotesToIncident.Count == 0);
        var noted = await StoredIncident();
        Assert.Equal([ReliefStatus.Breached], noted!.ReliefNoted);

        await incident.NoteRelief(ReliefStatus.Breached, "again"); // a late repeat records nothing
        await incident.Get();
        Assert.Equal(noted.EventSeq, (await StoredIncident())!.EventSeq);

        Task<IncidentState?> StoredIncident() => Stored(incident);
        Task<ReliefDemandState?> StoredDemand() => Stored(demand);
    }

    [Fact]
    public async Task An_at_risk_note_the_incident_failed_to_store_is_sent_again_within_a_minute_not_at_the_deadline()
    {
        // Occurred 2 h 40 min ago: the deadline is 20 min away, inside the 30 min AtRisk window; the reminder checks about a second
        // after the demand is created, and nothing has been delivered.
        var deadline = DateTimeOffset.UtcNow.AddMinutes(20);
        // The reminder raises AtRisk and sends the note; the incident's write of it fails.
        var (incident, demand) = await FloodedVillageWithTheNextIncidentWriteFailing("INC-ATRISK-FAIL", deadline.AddHours(-3));
        var demandId = ((GrainReference)demand).GrainId;
        Assert.Equal(ReliefStatus.AtRisk, (await demand.Get())!.Status);
        Assert.Contains(ReliefStatus.AtRisk, (await StoredDemand())!.NotesToIncident.Keys);
        var retry = await fixture.Reminders.ReadRow(demandId, "relief-deadline");
        Assert.True(retry!.StartAt < DateTime.UtcNow.AddSeconds(70),
            $"the next check is at {retry.StartAt:O}, not within a minute (the deadline is {deadline:O})");

        await demand.CheckDeadline(); // that check: the note goes again, and this time the incident stores it
        await Until(async () => (await StoredDemand())?.NotesToIncident.Count == 0);
        Assert.Equal([ReliefStatus.AtRisk], (await StoredIncident())!.ReliefNoted);

        await demand.CheckDeadline(); // with nothing left to send, the next check is the deadline's
        var judge = await fixture.Reminders.ReadRow(demandId, "relief-deadline");
        Assert.True(judge!.StartAt > DateTime.UtcNow.AddMinutes(15), $"the next check is at {judge.StartAt:O}, before the deadline {deadline:O}");

        Task<IncidentState?> StoredIncident() => Stored(incident);
        Task<ReliefDemandState?> StoredDemand() => Stored(demand);
    }

    /// <summary>A flood incident of 10 affected people that occurred at <paramref name="occurredAt"/>, and its relief demand.</summary>
    private async Task<(IIncidentGrain Incident, IReliefDemandGrain Demand)> FloodedVillage(string id, DateTimeOffset occurredAt)
    {
        var grains = fixture.Cluster.GrainFactory;
        await grains.GetGrain<IReferenceDataGrain>(ReferenceData.GrainKey).Load(ReferenceDataValidatorTests.Minimal(), id);
        var incident = grains.GetGrain<IIncidentGrain>(id);
        await incident.Create(new CreateIncident
        {
            Type = IncidentType.Flood, Title = "Flooded village", OccurredAt = occurredAt, Source = "console",
            Location = new IncidentLocation { Lat = 23.401, Lon = 113.221, AreaId = "xinhua" }, Assessment = new AssessmentUpdate { Affected = 10 },
        }, Dispatcher);
        return (incident, grains.GetGrain<IReliefDemandGrain>(id));
    }

    /// <summary>
    /// <see cref="FloodedVillage"/> with the incident writes failing from the one after the report's own: the note the demand's
    /// reminder sends about a second after the report is refused. The failure is switched on before the report, not after it:
    /// switched on after, a report answered more than a second late (a busy machine) let the note be stored first, and no write
    /// was refused. Returns once the note's write has been refused (10 s at most).
    /// </summary>
    private async Task<(IIncidentGrain Incident, IReliefDemandGrain Demand)> FloodedVillageWithTheNextIncidentWriteFailing(string id, DateTimeOffset occurredAt)
    {
        (IIncidentGrain Incident, IReliefDemandGrain Demand) village = default;
        await FailingWrites.Refused("incident", async () => village = await FloodedVillage(id, occurredAt), oneWay: true, passFirst: 1);
        return village;
    }

    private Task<IncidentState?> Stored(IIncidentGrain incident) => fixture.Stored<IncidentState>("incident", ((GrainReference)incident).GrainId);

    private Task<ReliefDemandState?> Stored(IReliefDemandGrain demand) => fixture.Stored<ReliefDemandState>("relief-demand", ((GrainReference)demand).GrainId);

    private static async Task Until(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the condition did not hold within 10 s");
            await Task.Delay(20);
        }
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

        // Track is one-way, and the failed write drops the activation: the retry may run on the old activation or the new one,
        // so a call made after it is no sign that it ran. The store is watched instead (10 s; a retry skipped stays unstored).
        var deadline = DateTime.UtcNow.AddSeconds(10);
        ReliefCoordinatorState? stored;
        while (!((stored = await fixture.Stored<ReliefCoordinatorState>("relief-coordinator", ((GrainReference)coordinator).GrainId))?.Tracked
            .Contains("INC-TRACK-FAIL") ?? false) && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        Assert.Contains("INC-TRACK-FAIL", stored?.Tracked ?? []);
    }
}

/// <summary>
/// The dispatch-side grains (external ids, command posts, timelines, area boards, idempotency keys): a change whose write failed
/// is neither taken for a stored one when the caller retries it, nor stored later by another change.
/// </summary>
[Collection(FaultClusterFixture.Collection)]
public sealed class DispatchWriteFailureTests(FaultClusterFixture fixture) : IClassFixture<FaultClusterFixture>
{
    private static readonly Actor Dispatcher = new() { Subject = "dispatcher", Role = Roles.Dispatcher };
    private IGrainFactory Grains => fixture.Cluster.GrainFactory;
    private static GrainId Id(IAddressable grain) => ((GrainReference)grain).GrainId;

    [Fact]
    public async Task An_external_id_whose_binding_failed_to_store_is_bound_and_stored_when_the_reporter_retries()
    {
        var externalId = Grains.GetGrain<IExternalIdGrain>("radio:FAIL-1");

        await FailingWrites.Refused("external-id", () => externalId.Claim("INC-EXT-A"));
        // The retried report creates its incident again and claims the id for it: it must get that incident, stored.
        Assert.Equal("INC-EXT-B", await externalId.Claim("INC-EXT-B"));

        Assert.Equal("INC-EXT-B", (await fixture.Stored<ExternalIdState>("external-id", Id(externalId)))?.IncidentId);
    }

    [Fact]
    public async Task An_initial_situation_report_whose_write_failed_can_be_sent_again_and_is_number_1()
    {
        var post = Grains.GetGrain<IFieldCommandPostGrain>("INC-CP-FAIL");
        await post.SetUp("commander", new GeoPoint { Lat = 23.4, Lon = 113.2 }, automatic: false, Dispatcher);
        var initial = new SitRepRequest { Kind = SitRepKind.Initial, Text = "first report" };

        await FailingWrites.Refused("command-post", () => post.AddSitRep(initial, Dispatcher, incidentOver: false));
        var report = await post.AddSitRep(initial, Dispatcher, incidentOver: false); // before: 409, "the initial situation report has been sent"

        Assert.Equal(1, report.Number);
        Assert.Equal(["first report"], (await fixture.Stored<CommandPostState>("command-post", Id(post)))!.SitReps.Select(r => r.Text));
    }

    [Fact]
    public async Task Timeline_entries_whose_write_failed_are_stored_once_when_appended_again()
    {
        var timeline = Grains.GetGrain<IIncidentTimelineGrain>("INC-TL-FAIL");
        TimelineEntry Entry(string summary) => new() { Seq = 0, At = DateTimeOffset.UtcNow, Actor = "dispatcher", Kind = "Note", Summary = summary };

        await FailingWrites.Refused("timeline", () => timeline.Append([Entry("lost")]));
        await timeline.Append([Entry("kept")]);

        var stored = (await fixture.Stored<IncidentTimelineState>("timeline", Id(timeline)))!.Entries;
        Assert.Equal([(1L, "kept")], stored.Select(e => (e.Seq, e.Summary)));
    }

    [Fact]
    public async Task An_incident_timeline_entry_sent_again_is_appended_once_and_team_entries_always()
    {
        var timeline = Grains.GetGrain<IIncidentTimelineGrain>("INC-TL-AGAIN");
        TimelineEntry Entry(long incidentSeq, string summary) => new() { Seq = incidentSeq, At = DateTimeOffset.UtcNow, Actor = "x", Kind = "Note", Summary = summary };

        await timeline.Append([Entry(1, "a"), Entry(2, "b")]);
        await timeline.Append([Entry(2, "b"), Entry(3, "c"), Entry(0, "team"), Entry(0, "team")]); // 2 again, after a restart

        Assert.Equal([(1L, "a"), (2L, "b"), (3L, "c"), (4L, "team"), (5L, "team")], (await timeline.Get()).Select(e => (e.Seq, e.Summary)));
    }

    [Fact]
    public async Task The_timeline_entry_of_a_stored_incident_change_whose_append_failed_is_appended_once_later()
    {
        await Grains.GetGrain<IReferenceDataGrain>(ReferenceData.GrainKey).Load(ReferenceDataValidatorTests.Minimal(), "timeline-outbox");
        var incident = Grains.GetGrain<IIncidentGrain>("INC-TL-OUTBOX");
        await incident.Create(new CreateIncident
        {
            Type = IncidentType.BuildingFire, Title = "Warehouse fire", OccurredAt = DateTimeOffset.UtcNow, Source = "console",
            Location = new IncidentLocation { Lat = 23.401, Lon = 113.221, AreaId = "xinhua" },
        }, Dispatcher);

        await FailingWrites.Refused("timeline", () => incident.Assess(new AssessmentUpdate { Injured = 1 }, Dispatcher));
        Assert.Equal(1, (await incident.Get())!.Assessment.Injured); // the change itself was stored
        await incident.Assess(new AssessmentUpdate { Injured = 2 }, Dispatcher);

        var entries = await Grains.GetGrain<IIncidentTimelineGrain>("INC-TL-OUTBOX").Get();
        Assert.Equal(Enumerable.Range(1, entries.Count).Select(n => (long)n), entries.Select(e => e.Seq));
        Assert.Equal([1, 2], entries.Where(e => e.Kind == "Assessed").Select(e => e.Summary.Contains("seriously injured 0, injured 1,") ? 1
            : e.Summary.Contains("seriously injured 0, injured 2,") ? 2 : 0));
    }

    [Fact]
    public async Task An_area_board_summary_whose_write_failed_is_stored_when_the_incident_sends_it_again()
    {
        var board = Grains.GetGrain<IAreaBoardGrain>("area-fail");
        var summary = new IncidentSummary
        {
            Id = "INC-BOARD-FAIL", Type = IncidentType.Flood, Category = IncidentCategory.NaturalDisaster, Status = IncidentStatus.Reported,
            ResponseLevel = ResponseLevel.IV, Title = "flood", AreaId = "area-fail", Lat = 23.4, Lon = 113.2, OccurredAt = DateTimeOffset.UtcNow,
            UpdatedAt = DateTimeOffset.UtcNow, AssignedTeams = 0, Version = 1,
        };

        await FailingWrites.Refused("board", () => board.Upsert(summary));
        await board.Upsert(summary); // before: taken for the stored version and skipped

        var stored = await fixture.Stored<AreaBoardState>("board", Id(board));
        Assert.Equal(1, stored?.Incidents.GetValueOrDefault("INC-BOARD-FAIL")?.Version);
    }

    [Fact]
    public async Task A_request_whose_idempotency_claim_failed_to_store_runs_when_the_client_retries_instead_of_waiting_out_the_lease()
    {
        var key = Grains.GetGrain<IIdempotencyGrain>("client|key-fail");

        await FailingWrites.Refused("idempotency", () => key.Begin("fingerprint", TimeSpan.FromHours(24), TimeSpan.FromMinutes(1)));
        var retry = await key.Begin("fingerprint", TimeSpan.FromHours(24), TimeSpan.FromMinutes(1)); // before: InProgress for a minute

        Assert.Equal(IdempotencyOutcome.Proceed, retry.Outcome);
        Assert.NotNull((await fixture.Stored<IdempotencyState>("idempotency", Id(key)))?.RunningSince);
    }

    /// <summary>
    /// A request that failed (a 503 in a database outage) frees its key even when the record cannot be cleared: the retry the
    /// 503 asks for runs at once. Until the thirty-first session the key stayed "still being processed" for the lease (a minute
    /// of 409s after a PostgreSQL restart, the verifier's M1).
    /// </summary>
    [Fact]
    public async Task A_key_whose_release_could_not_be_stored_is_free_for_the_retry_at_once()
    {
        var key = Grains.GetGrain<IIdempotencyGrain>("client|key-abandon-fail");
        Assert.Equal(IdempotencyOutcome.Proceed, (await key.Begin("fingerprint", TimeSpan.FromHours(24), TimeSpan.FromMinutes(1))).Outcome);

        await FailingWrites.Refused("idempotency", () => key.Abandon("fingerprint"));
        Assert.NotNull((await fixture.Stored<IdempotencyState>("idempotency", Id(key)))?.RunningSince); // the claim is still stored
        var retry = await key.Begin("fingerprint", TimeSpan.FromHours(24), TimeSpan.FromMinutes(1)); // before: InProgress for a minute

        Assert.Equal(IdempotencyOutcome.Proceed, retry.Outcome);
    }

    [Fact]
    public async Task A_request_that_ran_but_whose_response_failed_to_store_is_replayed_to_the_retry_not_run_again()
    {
        var key = Grains.GetGrain<IIdempotencyGrain>("client|key-complete-fail");
        var response = new StoredResponse { Status = 201, ContentType = "application/json", Body = "{\"id\":\"INC-1\"}"u8.ToArray() };
        Assert.Equal(IdempotencyOutcome.Proceed, (await key.Begin("fingerprint", TimeSpan.FromHours(24), TimeSpan.FromMinutes(1))).Outcome);

        await FailingWrites.Refused("idempotency", () => key.Complete("fingerprint", response));
        await key.Abandon("fingerprint"); // what the middleware does when Complete throws
        var retry = await key.Begin("fingerprint", TimeSpan.FromHours(24), TimeSpan.FromMinutes(1));

        Assert.Equal(IdempotencyOutcome.Replay, retry.Outcome);
        Assert.Equal(201, retry.Response?.Status);
    }
}
