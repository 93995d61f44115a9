using Orleans.Concurrency;

namespace HuaduDispatch.Contracts;

/// <summary>What kind of partner agency (联动单位) it is.</summary>
[Alias("huadu.AgencyKind")]
public enum AgencyKind { Police, Fire, Ambulance, WaterAffairs, Meteorology, NaturalResources, Transport, Power, Gas, Other }

/// <summary>Who to call at an agency about its integration.</summary>
[GenerateSerializer, Immutable, Alias("huadu.AgencyContact")]
public sealed record AgencyContact
{
    [Id(0)] public string? Name { get; init; }
    [Id(1)] public string? Phone { get; init; }
    [Id(2)] public string? Email { get; init; }
}

/// <summary>
/// Body of POST /agencies and PUT /agencies/{id}. Kind is a name of <see cref="AgencyKind"/>; it is text here so that an unknown
/// name is a 400 naming the field. PUT takes the id from the path (an id in the body must match it).
/// </summary>
[GenerateSerializer, Immutable, Alias("huadu.AgencyRequest")]
public sealed record AgencyRequest
{
    [Id(0)] public string? Id { get; init; }
    [Id(1)] public string? NameZh { get; init; }
    [Id(2)] public string? NameEn { get; init; }
    [Id(3)] public string? Kind { get; init; }
    [Id(4)] public AgencyContact? Contact { get; init; }
    /// <summary>
    /// false retires the agency: its tokens no longer count (401), its open console connections are closed and its webhooks stop;
    /// true reinstates it. Absent: a new agency is active, and a PUT keeps the standing in force (a profile edit must not retire
    /// or reinstate an agency by leaving the field out).
    /// </summary>
    [Id(5)] public bool? Active { get; init; }
}

/// <summary>Body of POST /agencies/{id}/webhooks. Events are <see cref="IncidentEventKind"/> names; the secret is write-only.</summary>
[GenerateSerializer, Immutable, Alias("huadu.WebhookRequest")]
public sealed record WebhookRequest
{
    /// <summary>Optional; generated ("wh-xxxxxxxx") when absent.</summary>
    [Id(0)] public string? Id { get; init; }
    [Id(1)] public string? Url { get; init; }
    [Id(2)] public IReadOnlyList<string>? Events { get; init; }
    /// <summary>The HMAC-SHA256 key, at least 32 characters. Never returned.</summary>
    [Id(3)] public string? Secret { get; init; }
    /// <summary>Defaults to true.</summary>
    [Id(4)] public bool? Active { get; init; }
    /// <summary>
    /// On a rotation (PUT with a new secret): whether deliveries also carry the signature made with the secret replaced
    /// (X-Huadu-Signature-Previous) for Webhooks:SecretOverlap, so the receiver can change its secret without refusing events.
    /// Defaults to true; false when the old secret leaked.
    /// </summary>
    [Id(5)] public bool? KeepPreviousSecret { get; init; }
}

/// <summary>A webhook endpoint as the API shows it: the secret is never shown, only whether it is set and its fingerprint.</summary>
[GenerateSerializer, Immutable, Alias("huadu.WebhookEndpoint")]
public sealed record WebhookEndpoint
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required string Url { get; init; }
    [Id(2)] public required IReadOnlyList<IncidentEventKind> Events { get; init; }
    [Id(3)] public required bool Active { get; init; }
    [Id(4)] public required bool SecretSet { get; init; }
    /// <summary>"sha256:" + the first 16 hex digits of SHA-256(secret): lets an agency check which secret is in force.</summary>
    [Id(5)] public required string SecretFingerprint { get; init; }
    [Id(6)] public required DateTimeOffset CreatedAt { get; init; }
    /// <summary>During a rotation's overlap: the fingerprint of the secret replaced, whose signature deliveries still carry.</summary>
    [Id(7)] public string? PreviousSecretFingerprint { get; init; }
    /// <summary>Until when deliveries carry X-Huadu-Signature-Previous.</summary>
    [Id(8)] public DateTimeOffset? PreviousSecretUntil { get; init; }
}

/// <summary>A registered partner agency.</summary>
[GenerateSerializer, Immutable, Alias("huadu.Agency")]
public sealed record Agency
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required string NameZh { get; init; }
    [Id(2)] public required string NameEn { get; init; }
    [Id(3)] public required AgencyKind Kind { get; init; }
    [Id(4)] public required AgencyContact Contact { get; init; }
    [Id(5)] public required IReadOnlyList<WebhookEndpoint> Webhooks { get; init; }
    [Id(6)] public required DateTimeOffset CreatedAt { get; init; }
    [Id(7)] public required DateTimeOffset UpdatedAt { get; init; }
    /// <summary>Whether the agency's tokens count and its webhooks deliver (false: retired by an admin).</summary>
    [Id(8)] public bool Active { get; init; } = true;
    /// <summary>When an admin retired it (null while it is active).</summary>
    [Id(9)] public DateTimeOffset? RetiredAt { get; init; }
}

/// <summary>What the delivery side needs to know about an endpoint, secret included. Grains only; never sent to a client.</summary>
[GenerateSerializer, Immutable, Alias("huadu.WebhookSubscription")]
public sealed record WebhookSubscription
{
    [Id(0)] public required string AgencyId { get; init; }
    [Id(1)] public required string WebhookId { get; init; }
    [Id(2)] public required string Url { get; init; }
    [Id(3)] public required IReadOnlyList<IncidentEventKind> Events { get; init; }
    [Id(4)] public required string Secret { get; init; }
    /// <summary>Whether events are delivered now: the endpoint is switched on and its agency is not retired.</summary>
    [Id(5)] public required bool Active { get; init; }
    /// <summary>false when the agency is retired: no event is routed to its endpoints (not held either: its arrangement ended).</summary>
    [Id(6)] public bool AgencyActive { get; init; } = true;
    /// <summary>The secret a rotation replaced, signed with too (X-Huadu-Signature-Previous) until <see cref="PreviousSecretUntil"/>.</summary>
    [Id(7)] public string? PreviousSecret { get; init; }
    [Id(8)] public DateTimeOffset? PreviousSecretUntil { get; init; }

    /// <summary>The previous secret if its overlap has not ended at <paramref name="now"/>.</summary>
    public string? PreviousSecretAt(DateTimeOffset now) => PreviousSecret is { } s && PreviousSecretUntil > now ? s : null;

    /// <summary>The key of the endpoint's outbox grain.</summary>
    public string OutboxKey => WebhookOutboxKeys.For(AgencyId, WebhookId);
}

public static class WebhookOutboxKeys
{
    /// <summary>"{agencyId}/{webhookId}": the slash keeps it a text key in grain storage.</summary>
    public static string For(string agencyId, string webhookId) => $"{agencyId}/{webhookId}";
}

/// <summary>One HTTP attempt at delivering an event.</summary>
[GenerateSerializer, Immutable, Alias("huadu.WebhookAttempt")]
public sealed record WebhookAttempt
{
    [Id(0)] public required string EventId { get; init; }
    [Id(1)] public required DateTimeOffset At { get; init; }
    /// <summary>The HTTP status the receiver answered, if it answered.</summary>
    [Id(2)] public int? StatusCode { get; init; }
    /// <summary>Why the attempt failed ("timeout", "connection refused ...", "HTTP 500"); null on success.</summary>
    [Id(3)] public string? Error { get; init; }
    [Id(4)] public required bool Succeeded { get; init; }
}

/// <summary>An event that failed every attempt; replay puts it back in the queue.</summary>
[GenerateSerializer, Immutable, Alias("huadu.WebhookDeadLetter")]
public sealed record WebhookDeadLetter
{
    [Id(0)] public required IncidentEvent Event { get; init; }
    [Id(1)] public required DateTimeOffset FailedAt { get; init; }
    [Id(2)] public required int Attempts { get; init; }
    [Id(3)] public required string LastError { get; init; }
}

/// <summary>A dead letter as the API shows it.</summary>
[GenerateSerializer, Immutable, Alias("huadu.DeadLetterView")]
public sealed record DeadLetterView
{
    [Id(0)] public required string EventId { get; init; }
    [Id(1)] public required string Type { get; init; }
    [Id(2)] public required string IncidentId { get; init; }
    [Id(3)] public required long Sequence { get; init; }
    [Id(4)] public required DateTimeOffset OccurredAt { get; init; }
    [Id(5)] public required string Summary { get; init; }
    [Id(6)] public required DateTimeOffset FailedAt { get; init; }
    [Id(7)] public required int Attempts { get; init; }
    [Id(8)] public required string LastError { get; init; }
}

/// <summary>The delivery state of one endpoint (GET .../deliveries).</summary>
[GenerateSerializer, Immutable, Alias("huadu.WebhookDeliveryStatus")]
public sealed record WebhookDeliveryStatus
{
    [Id(0)] public required string AgencyId { get; init; }
    [Id(1)] public required string WebhookId { get; init; }
    /// <summary>Events queued and not yet delivered (the one in flight included).</summary>
    [Id(2)] public required int Pending { get; init; }
    /// <summary>The event being delivered now, if any.</summary>
    [Id(3)] public string? Delivering { get; init; }
    [Id(4)] public required long Delivered { get; init; }
    [Id(5)] public required int DeadLetters { get; init; }
    /// <summary>The endpoint's circuit breaker: Closed, Open, HalfOpen or Isolated.</summary>
    [Id(6)] public required string Circuit { get; init; }
    /// <summary>The last HTTP attempts of this activation, newest last.</summary>
    [Id(7)] public required IReadOnlyList<WebhookAttempt> LastAttempts { get; init; }
    [Id(8)] public DateTimeOffset? LastDeliveredAt { get; init; }
}

[GenerateSerializer, Immutable, Alias("huadu.ReplayResult")]
public sealed record ReplayResult
{
    [Id(0)] public required int Replayed { get; init; }
}

/// <summary>One partner agency: its profile and webhook endpoints (state name "agency").</summary>
[Alias("huadu.IAgencyGrain")]
public interface IAgencyGrain : IGrainWithStringKey
{
    [Alias("Get")] Task<Agency?> Get();
    /// <summary>409 if the agency exists. Called by the registry (which lists it); clients go through the registry.</summary>
    [Alias("Create")] Task<Agency> Create(AgencyRequest request, Actor actor);
    /// <summary>404 if the agency does not exist.</summary>
    [Alias("Update")] Task<Agency> Update(AgencyRequest request, Actor actor);
    [Alias("AddWebhook")] Task<WebhookEndpoint> AddWebhook(WebhookRequest request, Actor actor);
    /// <summary>Removes the endpoint and drops its outbox (queue and dead letters).</summary>
    [Alias("RemoveWebhook")] Task RemoveWebhook(string webhookId, Actor actor);
    /// <summary>New url, events, active flag and (optionally) secret for an endpoint; its queue and dead letters are kept.</summary>
    [Alias("UpdateWebhook")] Task<WebhookEndpoint> UpdateWebhook(string webhookId, WebhookRequest request, Actor actor);
    /// <summary>Whether the agency has this endpoint (for 404s on the delivery endpoints). A read that may interleave.</summary>
    [AlwaysInterleave, Alias("HasWebhook")] Task<bool> HasWebhook(string webhookId);
    /// <summary>
    /// Every endpoint with its secret (grains only). It may interleave: an outbox asks while the agency waits on that outbox
    /// (adding or removing an endpoint), and a plain read of memory is safe to answer then.
    /// </summary>
    [AlwaysInterleave, Alias("GetSubscriptions")] Task<IReadOnlyList<WebhookSubscription>> GetSubscriptions();
}

/// <summary>The list of registered agency ids (key 0, state name "agency-registry").</summary>
[Alias("huadu.IAgencyRegistryGrain")]
public interface IAgencyRegistryGrain : IGrainWithIntegerKey
{
    /// <summary>Validates and creates the agency, then lists it. 400 on bad input, 409 if the id exists.</summary>
    [Alias("Create")] Task<Agency> Create(AgencyRequest request, Actor actor);
    [Alias("List")] Task<IReadOnlyList<string>> List();
}

/// <summary>
/// One webhook endpoint's durable delivery queue ("{agencyId}/{webhookId}", state name "webhook-outbox"): FIFO, one event in
/// flight at a time, deduplicated by (incidentId, sequence), with dead letters.
/// </summary>
[Alias("huadu.IWebhookOutboxGrain")]
public interface IWebhookOutboxGrain : IGrainWithStringKey
{
    /// <summary>Queues the events (in order) durably and returns; delivery happens later. Returns how many were new.</summary>
    [Alias("Enqueue")] Task<int> Enqueue(IReadOnlyList<IncidentEvent> events);
    [Alias("Status")] Task<WebhookDeliveryStatus> Status();
    [Alias("DeadLetters")] Task<IReadOnlyList<DeadLetterView>> DeadLetters();
    /// <summary>Moves one dead letter (or all, when eventId is null) back into the queue. 404 if the event is not a dead letter.</summary>
    [Alias("Replay")] Task<ReplayResult> Replay(string? eventId);
    /// <summary>The endpoint was removed: drop the queue, the dead letters and the reminder.</summary>
    [Alias("Drop")] Task Drop();
    /// <summary>The background delivery of an event ended (called by the outbox's own delivery task).</summary>
    [Alias("Completed")] Task Completed(long attemptId, string eventId, bool delivered, int attempts, string? error);
    /// <summary>The background delivery of an event stopped because the endpoint was switched off: the event stays queued.</summary>
    [Alias("Held")] Task Held(long attemptId, string eventId);
    /// <summary>The endpoint was switched on again (or changed): deliver what is queued now, not at the next sweep.</summary>
    [Alias("Resume"), OneWay] Task Resume();
}

/// <summary>The JSON body POSTed to a webhook endpoint (camelCase, enums as names).</summary>
[GenerateSerializer, Immutable, Alias("huadu.WebhookPayload")]
public sealed record WebhookPayload
{
    /// <summary>"{incidentId}/{sequence}": the same on every retry and replay, so receivers can deduplicate.</summary>
    [Id(0)] public required string EventId { get; init; }
    /// <summary>The <see cref="IncidentEventKind"/> name.</summary>
    [Id(1)] public required string Type { get; init; }
    [Id(2)] public required string IncidentId { get; init; }
    [Id(3)] public required long Sequence { get; init; }
    [Id(4)] public required DateTimeOffset OccurredAt { get; init; }
    [Id(5)] public required string Summary { get; init; }
    [Id(6)] public required Incident Incident { get; init; }

    public static WebhookPayload From(IncidentEvent e) => new()
    {
        EventId = e.EventId, Type = e.Kind.ToString(), IncidentId = e.IncidentId, Sequence = e.Sequence, OccurredAt = e.OccurredAt,
        Summary = e.Summary, Incident = e.Incident,
    };
}

/// <summary>The headers of a webhook delivery.</summary>
public static class WebhookHeaders
{
    public const string EventId = "X-Huadu-Event-Id";
    public const string EventType = "X-Huadu-Event-Type";
    public const string Timestamp = "X-Huadu-Timestamp";
    public const string Signature = "X-Huadu-Signature";
    /// <summary>During a secret rotation's overlap: the same signature made with the secret replaced.</summary>
    public const string PreviousSignature = "X-Huadu-Signature-Previous";
}
