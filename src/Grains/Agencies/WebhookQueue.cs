using HuaduDispatch.Contracts;

namespace HuaduDispatch.Grains.Agencies;

/// <summary>The durable state of one endpoint's outbox (state name "webhook-outbox").</summary>
[GenerateSerializer, Alias("huadu.WebhookOutboxState")]
public sealed class WebhookOutboxState
{
    /// <summary>The grain key the state belongs to (storage may map two keys to one row; only the owner uses it).</summary>
    [Id(0)] public string? Key { get; set; }
    /// <summary>Events to deliver, oldest first; the head is the one in flight.</summary>
    [Id(1)] public List<IncidentEvent> Queue { get; set; } = [];
    [Id(2)] public List<WebhookDeadLetter> DeadLetters { get; set; } = [];
    /// <summary>Per incident, the highest sequence number accepted: anything at or below it is a duplicate.</summary>
    [Id(3)] public Dictionary<string, long> Highest { get; set; } = [];
    [Id(4)] public long Delivered { get; set; }
    [Id(5)] public DateTimeOffset? LastDeliveredAt { get; set; }
}

/// <summary>
/// The outbox's rules, without Orleans: FIFO queue, deduplication by (incidentId, sequence), dead letters and replay.
/// </summary>
public static class WebhookQueue
{
    /// <summary>Dead letters kept per endpoint; beyond it the oldest are dropped.</summary>
    public const int MaxDeadLetters = 1000;

    /// <summary>Appends the events that are new (sequence above the highest accepted for their incident), in order. Returns how many.</summary>
    public static int Enqueue(WebhookOutboxState state, IEnumerable<IncidentEvent> events)
    {
        var added = 0;
        foreach (var e in events)
        {
            if (state.Highest.TryGetValue(e.IncidentId, out var highest) && e.Sequence <= highest) continue;
            state.Highest[e.IncidentId] = e.Sequence;
            state.Queue.Add(e);
            added++;
        }
        return added;
    }

    public static IncidentEvent? Head(WebhookOutboxState state) => state.Queue.Count > 0 ? state.Queue[0] : null;

    /// <summary>
    /// Ends the head's delivery: delivered events leave the queue, failed ones become dead letters with the last error.
    /// False (nothing changes) when the head is not that event, e.g. a report from a delivery that was abandoned.
    /// </summary>
    public static bool Complete(WebhookOutboxState state, string eventId, bool delivered, int attempts, string? error, DateTimeOffset now)
    {
        if (Head(state) is not { } head || head.EventId != eventId) return false;
        state.Queue.RemoveAt(0);
        if (delivered)
        {
            state.Delivered++;
            state.LastDeliveredAt = now;
        }
        else
        {
            state.DeadLetters.Add(new WebhookDeadLetter { Event = head, FailedAt = now, Attempts = attempts, LastError = error ?? "failed" });
            if (state.DeadLetters.Count > MaxDeadLetters) state.DeadLetters.RemoveRange(0, state.DeadLetters.Count - MaxDeadLetters);
        }
        return true;
    }

    /// <summary>
    /// Moves one dead letter (or every one, when eventId is null) to the end of the queue, oldest first. Replayed events are
    /// not deduplicated again: they were accepted once already. An eventId that is not a dead letter is a 404.
    /// </summary>
    public static int Replay(WebhookOutboxState state, string? eventId)
    {
        var chosen = eventId is null ? state.DeadLetters.ToList() : state.DeadLetters.Where(d => d.Event.EventId == eventId).ToList();
        if (eventId is not null && chosen.Count == 0) throw DomainException.NotFound($"event '{eventId}' is not a dead letter of this webhook");
        foreach (var letter in chosen)
        {
            state.DeadLetters.Remove(letter);
            if (state.Queue.All(e => e.EventId != letter.Event.EventId)) state.Queue.Add(letter.Event);
        }
        return chosen.Count;
    }

    public static DeadLetterView View(WebhookDeadLetter d) => new()
    {
        EventId = d.Event.EventId, Type = d.Event.Kind.ToString(), IncidentId = d.Event.IncidentId, Sequence = d.Event.Sequence,
        OccurredAt = d.Event.OccurredAt, Summary = d.Event.Summary, FailedAt = d.FailedAt, Attempts = d.Attempts, LastError = d.LastError,
    };
}
