using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Dispatch.Rules;

namespace HuaduDispatch.UnitTests;

/// <summary>
/// An incident change stored whose area board update did not get there (the node went away in between) reaches the board at the
/// incident's next activation, and, after a report or a final status, by its durable reminder with nobody touching the incident.
/// Before the twenty-third session such an incident was missing from the lists, the map and the consoles' snapshots for good.
/// </summary>
[Collection(FaultClusterFixture.Collection)]
public sealed class IncidentBoardResendTests(FaultClusterFixture fixture) : IClassFixture<FaultClusterFixture>
{
    private static readonly Actor Dispatcher = new() { Subject = "dispatcher-wang", Role = Roles.Dispatcher };

    private static CreateIncident Report(string title) => new()
    {
        Type = IncidentType.Flood, Title = title, OccurredAt = DateTimeOffset.UtcNow, Source = "console",
        Location = new IncidentLocation { Lat = 23.401, Lon = 113.221, AreaId = "xinhua" },
    };

    private async Task<IncidentSummary?> OnBoard(string id) =>
        (await fixture.Cluster.GrainFactory.GetGrain<IAreaBoardGrain>("xinhua").Query(new IncidentFilter())).SingleOrDefault(i => i.Id == id);

    private static async Task Failing(Func<Task> change)
    {
        FaultClusterFixture.FailBoardUpsert = true;
        try
        {
            Assert.Contains("injected", (await Assert.ThrowsAnyAsync<Exception>(change)).Message);
        }
        finally
        {
            FaultClusterFixture.FailBoardUpsert = false;
        }
    }

    [Fact]
    public async Task A_report_whose_board_update_was_lost_is_on_the_board_once_the_incident_is_read()
    {
        var grains = fixture.Cluster.GrainFactory;
        Assert.True((await grains.GetGrain<IReferenceDataGrain>(ReferenceData.GrainKey).Load(ReferenceDataValidatorTests.Minimal(), "board-read")).Applied);
        var incident = grains.GetGrain<IIncidentGrain>("INC-BOARD-READ");

        await Failing(() => incident.Create(Report("Waterlogging at Xinhua market"), Dispatcher));
        Assert.Null(await OnBoard("INC-BOARD-READ"));
        // A console of the area resyncs meanwhile (after a crash, to a snapshot read from the board, which lacks the report).
        var area = grains.GetGrain<IScopeGrain>(Scopes.Area("xinhua"));
        var snapshot = await area.Snapshot(null);
        Assert.DoesNotContain(snapshot.Entities, e => e.Id == "INC-BOARD-READ");

        // A read activates the incident again (the failed change dropped the activation): it finds the board behind and sends it.
        Assert.NotNull(await incident.Get());
        var summary = await OnBoard("INC-BOARD-READ");
        Assert.NotNull(summary);
        Assert.Equal((IncidentStatus.Reported, 1), (summary.Status, summary.Version));
        // ... and the consoles get the incident as a delta (until the twenty-ninth session only the board was repaired).
        IReadOnlyList<Delta> deltas = [];
        for (var i = 0; i < 50 && !deltas.Any(d => d.Id == "INC-BOARD-READ"); i++)
        {
            await Task.Delay(100);
            deltas = (await area.Resync(snapshot.Seq, null)).Deltas;
        }
        Assert.Contains(deltas, d => d.Kind == DeltaKinds.Incident && d.Id == "INC-BOARD-READ");
    }

    [Fact]
    public async Task A_cancellation_whose_board_update_was_lost_reaches_the_board_by_the_reminder_with_nobody_touching_the_incident()
    {
        var grains = fixture.Cluster.GrainFactory;
        Assert.True((await grains.GetGrain<IReferenceDataGrain>(ReferenceData.GrainKey).Load(ReferenceDataValidatorTests.Minimal(), "board-cancel")).Applied);
        var incident = grains.GetGrain<IIncidentGrain>("INC-BOARD-CANCEL");
        await incident.Create(Report("False alarm at Xinhua market"), Dispatcher);
        Assert.Equal(IncidentStatus.Reported, (await OnBoard("INC-BOARD-CANCEL"))!.Status);

        await Failing(() => incident.Transition(new TransitionRequest { To = IncidentStatus.Cancelled, Reason = "prank call" }, Dispatcher));
        Assert.Equal(IncidentStatus.Reported, (await OnBoard("INC-BOARD-CANCEL"))!.Status);

        // Nothing else happens to the incident (it is final): its reminder (due 1 s after the change here) updates the board.
        IncidentSummary? summary = null;
        for (var i = 0; i < 150 && summary?.Status != IncidentStatus.Cancelled; i++)
        {
            await Task.Delay(100);
            summary = await OnBoard("INC-BOARD-CANCEL");
        }
        Assert.Equal(IncidentStatus.Cancelled, summary!.Status);
        // Once the board has it, the reminder is gone: the tick removes it just after the board's answer, which the poll above
        // can see first, so the row is read until it goes (up to 15 s: a busy machine can hold the tick's turn).
        ReminderEntry? row = new();
        for (var i = 0; i < 150 && row is not null; i++)
        {
            row = await fixture.Reminders.ReadRow(((GrainReference)incident).GrainId, IncidentBoardResend.Reminder);
            if (row is not null) await Task.Delay(100);
        }
        Assert.Null(row);
    }

    [Theory]
    [InlineData(false, IncidentStatus.Reported, IncidentStatus.Reported, true)] // the report
    [InlineData(true, IncidentStatus.Verified, IncidentStatus.Cancelled, true)]
    [InlineData(true, IncidentStatus.Recovery, IncidentStatus.Closed, true)]
    [InlineData(true, IncidentStatus.Reported, IncidentStatus.Merged, true)]
    [InlineData(true, IncidentStatus.Reported, IncidentStatus.Verified, false)] // the next change or activation sends it
    [InlineData(true, IncidentStatus.Closed, IncidentStatus.Closed, false)]
    public void Only_a_report_and_the_change_to_a_final_status_keep_the_reminder(bool wasCreated, IncidentStatus was, IncidentStatus now, bool reminder) =>
        Assert.Equal(reminder, IncidentBoardResend.NeedsReminder(wasCreated, was, now));
}
