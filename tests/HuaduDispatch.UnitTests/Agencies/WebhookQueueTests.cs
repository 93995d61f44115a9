using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Agencies;

namespace HuaduDispatch.UnitTests.Agencies;

public sealed class WebhookQueueTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 8, 0, 0, TimeSpan.FromHours(8));

    public static Incident Incident(string id) => new()
    {
        Id = id, Category = IncidentCategory.NaturalDisaster, Type = IncidentType.Landslide, Status = IncidentStatus.Reported,
        Title = "Slope failure", Description = "", Location = new IncidentLocation { Lat = 23.45, Lon = 113.3, AreaId = "A01" },
        OccurredAt = Now, ReportedAt = Now, Source = "police-110", Assessment = Assessment.None, ResponseLevel = ResponseLevel.IV,
        LevelReason = "graded", LeadingTier = LeadingTier.DistrictBureau, ReportDeadline = Now.AddHours(1), RequiredModules = [], Teams = [],
        CommandPost = false, UpdatedAt = Now, Version = 1,
    };

    public static IncidentEvent Event(string incident, long seq, IncidentEventKind kind = IncidentEventKind.LevelChanged, params string[] recipients) => new()
    {
        EventId = $"{incident}/{seq}", IncidentId = incident, Sequence = seq, Kind = kind, OccurredAt = Now, Summary = $"event {seq}",
        Recipients = recipients.Length == 0 ? ["police-110"] : recipients, Incident = Incident(incident),
    };

    [Fact]
    public void Events_at_or_below_the_highest_accepted_sequence_of_their_incident_are_dropped()
    {
        var state = new WebhookOutboxState();
        Assert.Equal(2, WebhookQueue.Enqueue(state, [Event("INC-A", 1), Event("INC-A", 2)]));
        // A hand-off repeated after a crash: 1 and 2 again, plus the new 3.
        Assert.Equal(1, WebhookQueue.Enqueue(state, [Event("INC-A", 1), Event("INC-A", 2), Event("INC-A", 3)]));
        Assert.Equal(0, WebhookQueue.Enqueue(state, [Event("INC-A", 2)]));
        Assert.Equal(["INC-A/1", "INC-A/2", "INC-A/3"], state.Queue.Select(e => e.EventId));
        Assert.Equal(3, state.Highest["INC-A"]);
    }

    [Fact]
    public void Dedupe_is_per_incident_and_survives_delivery()
    {
        var state = new WebhookOutboxState();
        WebhookQueue.Enqueue(state, [Event("INC-A", 1), Event("INC-B", 1)]);
        Assert.True(WebhookQueue.Complete(state, "INC-A/1", delivered: true, 1, null, Now));
        // Delivered and gone from the queue, still a duplicate.
        Assert.Equal(0, WebhookQueue.Enqueue(state, [Event("INC-A", 1)]));
        Assert.Equal(1, WebhookQueue.Enqueue(state, [Event("INC-B", 2)]));
        Assert.Equal(["INC-B/1", "INC-B/2"], state.Queue.Select(e => e.EventId));
        Assert.Equal(1, state.Delivered);
    }

    [Fact]
    public void Only_the_head_completes_and_a_failure_becomes_a_dead_letter_with_the_last_error()
    {
        var state = new WebhookOutboxState();
        WebhookQueue.Enqueue(state, [Event("INC-A", 1), Event("INC-A", 2)]);
        Assert.False(WebhookQueue.Complete(state, "INC-A/2", delivered: true, 1, null, Now)); // not the head: stale report
        Assert.True(WebhookQueue.Complete(state, "INC-A/1", delivered: false, 6, "HTTP 500", Now));
        var letter = Assert.Single(state.DeadLetters);
        Assert.Equal("INC-A/1", letter.Event.EventId);
        Assert.Equal("HTTP 500", letter.LastError);
        Assert.Equal(6, letter.Attempts);
        Assert.Equal("INC-A/2", WebhookQueue.Head(state)!.EventId);
    }

    [Fact]
    public void Replay_moves_dead_letters_to_the_end_of_the_queue_and_an_unknown_one_is_not_found()
    {
        var state = new WebhookOutboxState();
        WebhookQueue.Enqueue(state, [Event("INC-A", 1), Event("INC-A", 2), Event("INC-A", 3)]);
        WebhookQueue.Complete(state, "INC-A/1", false, 6, "timeout", Now);
        WebhookQueue.Complete(state, "INC-A/2", false, 6, "timeout", Now);
        Assert.Equal(1, WebhookQueue.Replay(state, "INC-A/2"));
        Assert.Equal(["INC-A/3", "INC-A/2"], state.Queue.Select(e => e.EventId));
        Assert.Equal(DomainErrorKind.NotFound, Assert.Throws<DomainException>(() => WebhookQueue.Replay(state, "INC-A/2")).Kind);
        Assert.Equal(1, WebhookQueue.Replay(state, null));
        Assert.Equal(["INC-A/3", "INC-A/2", "INC-A/1"], state.Queue.Select(e => e.EventId));
        Assert.Empty(state.DeadLetters);
    }

    [Fact]
    public void Routing_sends_each_event_to_the_subscribed_endpoints_of_its_recipients_only_switched_off_ones_included()
    {
        WebhookSubscription Sub(string agency, string hook, bool active, params IncidentEventKind[] kinds) => new()
        {
            AgencyId = agency, WebhookId = hook, Url = "http://127.0.0.1/x", Events = kinds, Secret = AgencyRulesTests.Secret, Active = active,
        };
        var subscriptions = new Dictionary<string, IReadOnlyList<WebhookSubscription>>
        {
            ["police-110"] = [Sub("police-110", "all", true, Enum.GetValues<IncidentEventKind>()), Sub("police-110", "off", false, IncidentEventKind.LevelChanged)],
            ["fire-119"] = [Sub("fire-119", "levels", true, IncidentEventKind.LevelChanged)],
        };
        var routes = WebhookRouting.Route(
        [
            Event("INC-A", 1, IncidentEventKind.IncidentCreated, "police-110", "fire-119", "unknown-agency"),
            Event("INC-A", 2, IncidentEventKind.LevelChanged, "police-110", "fire-119"),
        ], subscriptions);
        // A switched-off endpoint gets its events too: its outbox holds them until it is on again (it got none before the
        // thirtieth session, and they were lost).
        Assert.Equal(["fire-119/levels", "police-110/all", "police-110/off"], routes.Keys.Order());
        Assert.Equal(["INC-A/1", "INC-A/2"], routes["police-110/all"].Select(e => e.EventId));
        Assert.Equal(["INC-A/2"], routes["fire-119/levels"].Select(e => e.EventId));
        Assert.Equal(["INC-A/2"], routes["police-110/off"].Select(e => e.EventId));
    }

    [Fact]
    public void Routing_skips_the_endpoints_of_a_retired_agency()
    {
        var subscriptions = new Dictionary<string, IReadOnlyList<WebhookSubscription>>
        {
            ["police-110"] = [new() { AgencyId = "police-110", WebhookId = "all", Url = "http://127.0.0.1/x", Events = Enum.GetValues<IncidentEventKind>(),
                Secret = AgencyRulesTests.Secret, Active = false, AgencyActive = false }],
            ["fire-119"] = [new() { AgencyId = "fire-119", WebhookId = "all", Url = "http://127.0.0.1/x", Events = Enum.GetValues<IncidentEventKind>(),
                Secret = AgencyRulesTests.Secret, Active = true }],
        };
        var routes = WebhookRouting.Route([Event("INC-A", 1, IncidentEventKind.IncidentCreated, "police-110", "fire-119")], subscriptions);
        Assert.Equal(["fire-119/all"], routes.Keys);
    }

    [Fact]
    public void A_rotated_secret_signs_only_until_its_overlap_ends()
    {
        var until = new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
        var subscription = new WebhookSubscription
        {
            AgencyId = "police-110", WebhookId = "main", Url = "http://127.0.0.1/x", Events = [IncidentEventKind.LevelChanged],
            Secret = AgencyRulesTests.Secret, Active = true, PreviousSecret = "old-secret-abcdefghijklmnopqrstuvwxyz-012345", PreviousSecretUntil = until,
        };
        Assert.Equal("old-secret-abcdefghijklmnopqrstuvwxyz-012345", subscription.PreviousSecretAt(until.AddSeconds(-1)));
        Assert.Null(subscription.PreviousSecretAt(until));
        Assert.Null((subscription with { PreviousSecret = null }).PreviousSecretAt(until.AddHours(-1)));
    }
}
