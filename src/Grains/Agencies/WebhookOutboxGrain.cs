using System.Collections.Concurrent;
using HuaduDispatch.Contracts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HuaduDispatch.Grains.Agencies;

/// <summary>
/// One webhook endpoint's outbox ("{agencyId}/{webhookId}"). Enqueue writes the events to the grain's state and returns: no
/// HTTP in that turn. Delivery runs on a background task (one event at a time, FIFO) through the endpoint's Polly pipeline,
/// so retries and backoff never hold the grain's turn; the task reports the result back with a call to the grain itself,
/// which writes the outcome and starts the next event. While events are pending a durable reminder ticks every
/// <see cref="WebhookOptions.SweepPeriod"/>: after a restart it activates the outbox, which resumes on its own.
/// </summary>
public sealed class WebhookOutboxGrain(
    [PersistentState("webhook-outbox", StorageNames.Dispatch)] IPersistentState<WebhookOutboxState> state,
    WebhookSender sender,
    IOptions<WebhookOptions> options,
    TimeProvider clock,
    ILogger<WebhookOutboxGrain> logger) : Grain, IWebhookOutboxGrain, IRemindable
{
    private const string ResumeReminder = "webhook-resume";
    private readonly ConcurrentQueue<WebhookAttempt> _recent = new();
    private EndpointPipeline _pipeline = null!;
    private CancellationTokenSource _stop = new();
    private long _deliveryId = Random.Shared.NextInt64(1, long.MaxValue / 2);
    private string? _inflight;
    private Task? _inflightTask;
    private bool _reminderRegistered;

    private WebhookOutboxState S => state.State;
    private string Key => this.GetPrimaryKeyString();
    private string AgencyId => Key[..Key.IndexOf('/')];
    private string WebhookId => Key[(Key.IndexOf('/') + 1)..];

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (Key.IndexOf('/') <= 0) throw new ArgumentException($"an outbox key is 'agencyId/webhookId', not '{Key}'");
        if (S.Key != Key) state.State = new WebhookOutboxState { Key = Key };
        _pipeline = sender.CreatePipeline();
        if (S.Queue.Count > 0)
        {
            await EnsureReminder();
            await TryPump();
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _stop.Cancel();
        return Task.CompletedTask;
    }

    public async Task<int> Enqueue(IReadOnlyList<IncidentEvent> events)
    {
        var added = WebhookQueue.Enqueue(S, events);
        if (added == 0) return 0;
        await Write();
        await EnsureReminder();
        await TryPump();
        return added;
    }

    public Task<WebhookDeliveryStatus> Status() => Task.FromResult(new WebhookDeliveryStatus
    {
        AgencyId = AgencyId,
        WebhookId = WebhookId,
        Pending = S.Queue.Count,
        Delivering = _inflight,
        Delivered = S.Delivered,
        DeadLetters = S.DeadLetters.Count,
        Circuit = _pipeline.Circuit.ToString(),
        LastAttempts = [.. _recent],
        LastDeliveredAt = S.LastDeliveredAt,
    });

    public Task<IReadOnlyList<DeadLetterView>> DeadLetters() =>
        Task.FromResult<IReadOnlyList<DeadLetterView>>([.. S.DeadLetters.Select(WebhookQueue.View)]);

    public async Task<ReplayResult> Replay(string? eventId)
    {
        var replayed = WebhookQueue.Replay(S, eventId);
        if (replayed > 0)
        {
            await Write();
            await EnsureReminder();
            await TryPump();
        }
        return new ReplayResult { Replayed = replayed };
    }

    public async Task Drop()
    {
        CancelDelivery();
        if (S.Queue.Count > 0 || S.DeadLetters.Count > 0 || S.Highest.Count > 0 || S.Delivered > 0)
        {
            state.State = new WebhookOutboxState { Key = Key };
            await Write();
        }
        await RemoveReminder();
    }

    public async Task Completed(long deliveryId, string eventId, bool delivered, int attempts, string? error)
    {
        if (deliveryId != _deliveryId || _inflight != eventId) return; // from a delivery this activation abandoned
        _inflight = null;
        _inflightTask = null;
        if (!delivered) logger.LogWarning("Webhook {Outbox}: event {EventId} failed after {Attempts} attempts ({Error}); it is a dead letter", Key, eventId, attempts, error);
        if (WebhookQueue.Complete(S, eventId, delivered, attempts, error, clock.GetUtcNow())) await Write();
        if (S.Queue.Count == 0) await RemoveReminder();
        else await TryPump();
    }

    public Task Held(long deliveryId, string eventId)
    {
        if (deliveryId != _deliveryId || _inflight != eventId) return Task.CompletedTask;
        logger.LogInformation("Webhook {Outbox}: the endpoint was switched off while {EventId} was being retried; it waits in the queue", Key, eventId);
        _inflight = null;
        _inflightTask = null;
        return Task.CompletedTask; // the reminder keeps ticking while events are queued; switching the endpoint on resumes at once
    }

    public Task Resume() => S.Queue.Count > 0 ? TryPump() : Task.CompletedTask;

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != ResumeReminder) return;
        _reminderRegistered = true;
        if (S.Queue.Count == 0)
        {
            await RemoveReminder();
            return;
        }
        if (_inflight is not null && _inflightTask is { IsCompleted: true })
        {
            // The delivery task ended but its report never arrived: deliver the head again (at least once).
            _inflight = null;
            _inflightTask = null;
        }
        await TryPump();
    }

    /// <summary>Starts delivering the head of the queue on a background task, unless one is in flight or the endpoint is paused.</summary>
    private async Task Pump()
    {
        if (_inflight is not null || WebhookQueue.Head(S) is null) return;
        var subscription = (await GrainFactory.Grain<IAgencyGrain>(AgencyId).GetSubscriptions()).FirstOrDefault(s => s.WebhookId == WebhookId);
        if (subscription is null)
        {
            logger.LogWarning("Webhook {Outbox}: the endpoint no longer exists; dropping {Count} queued events", Key, S.Queue.Count);
            await Drop();
            return;
        }
        if (!subscription.Active) return; // paused: the events wait, the reminder keeps ticking
        if (_inflight is not null || WebhookQueue.Head(S) is not { } head) return;

        var deliveryId = ++_deliveryId;
        _inflight = head.EventId;
        var self = this.AsReference<IWebhookOutboxGrain>();
        var token = _stop.Token;
        var pipeline = _pipeline;
        var agency = GrainFactory.Grain<IAgencyGrain>(AgencyId);
        var webhookId = WebhookId;
        // Each retry reads the endpoint's current URL and secret: a PUT made while this event is retried reaches it.
        async Task<WebhookSubscription?> InForce() => (await agency.GetSubscriptions()).FirstOrDefault(s => s.WebhookId == webhookId);
        _inflightTask = Task.Run(async () =>
        {
            DeliveryResult result;
            try
            {
                result = await sender.DeliverAsync(pipeline, subscription, head, Record, token, InForce);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return; // abandoned (deactivation or the endpoint was dropped); the stored queue still has the event
            }
            catch (Exception e)
            {
                result = new DeliveryResult(false, 0, e.Message);
            }
            try
            {
                if (result.Held) await self.Held(deliveryId, head.EventId);
                else await self.Completed(deliveryId, head.EventId, result.Delivered, result.Attempts, result.Error);
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Webhook {Outbox}: the result of delivering {EventId} could not be reported; the reminder resumes delivery", Key, head.EventId);
            }
        });
    }

    private async Task TryPump()
    {
        try
        {
            await Pump();
        }
        catch (Exception e)
        {
            // The events are stored; the reminder tries again.
            logger.LogWarning(e, "Webhook {Outbox}: could not start a delivery", Key);
        }
    }

    private void Record(WebhookAttempt attempt)
    {
        _recent.Enqueue(attempt);
        while (_recent.Count > Math.Max(1, options.Value.RecentAttempts)) _recent.TryDequeue(out _);
    }

    private void CancelDelivery()
    {
        _stop.Cancel();
        _stop.Dispose();
        _stop = new CancellationTokenSource();
        _inflight = null;
        _inflightTask = null;
    }

    /// <summary>Writes the state; if the write fails the activation is dropped so the next call starts from the stored state.</summary>
    private async Task Write()
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            CancelDelivery();
            DeactivateOnIdle();
            throw;
        }
    }

    private async Task EnsureReminder()
    {
        if (_reminderRegistered) return;
        var period = options.Value.SweepPeriod;
        await this.RegisterOrUpdateReminder(ResumeReminder, period, period);
        _reminderRegistered = true;
    }

    private async Task RemoveReminder()
    {
        var reminder = await this.GetReminder(ResumeReminder);
        if (reminder is not null) await this.UnregisterReminder(reminder);
        _reminderRegistered = false;
    }
}
