using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using HuaduDispatch.Contracts;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace HuaduDispatch.Grains.Agencies;

/// <summary>What one HTTP attempt got back.</summary>
public readonly record struct AttemptOutcome(int StatusCode)
{
    public bool Success => StatusCode is >= 200 and < 300;
    /// <summary>Worth retrying: 408, 429 and 5xx. Other 4xx answers are final (the receiver refuses the event).</summary>
    public bool Transient => StatusCode is 408 or 429 or >= 500;
}

/// <summary>
/// How the delivery of one event ended. <see cref="Held"/>: the endpoint was switched off while the event was being retried,
/// so it was neither delivered nor failed: it stays at the head of the queue for when the endpoint is on again.
/// </summary>
public sealed record DeliveryResult(bool Delivered, int Attempts, string? Error, bool Held = false);

/// <summary>The wait before a delivery's next attempt.</summary>
public static class WebhookBackoff
{
    /// <summary>
    /// BaseDelay × 2^retry (retry 0 before the second attempt), capped at MaxDelay, times a jitter factor between 0.8 and 1.2
    /// (<paramref name="random"/> in [0, 1)): 2, 4, 8, 16, 32, 64, 120 s by default, about four minutes over the eight attempts.
    /// </summary>
    public static TimeSpan Delay(int retry, TimeSpan baseDelay, TimeSpan maxDelay, double random)
    {
        var doubled = baseDelay.TotalMilliseconds * Math.Pow(2, Math.Clamp(retry, 0, 30));
        var capped = Math.Min(doubled, maxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (0.8 + 0.4 * Math.Clamp(random, 0, 1)));
    }
}

/// <summary>The endpoint in force is switched off: no more attempts for now (not a failure of the event).</summary>
internal sealed class EndpointSwitchedOffException() : Exception("the endpoint was switched off");

/// <summary>One endpoint's resilience pipeline and the state of its circuit breaker.</summary>
public sealed class EndpointPipeline(ResiliencePipeline<AttemptOutcome> pipeline, CircuitBreakerStateProvider breaker)
{
    public ResiliencePipeline<AttemptOutcome> Pipeline { get; } = pipeline;
    public CircuitState Circuit => breaker.CircuitState;
}

/// <summary>
/// Sends signed webhook deliveries over the named HttpClient through a Polly pipeline: retry (exponential backoff with jitter
/// on 5xx, 408, 429, timeouts and connection errors) around a circuit breaker around a per-attempt timeout.
/// </summary>
public sealed class WebhookSender(IHttpClientFactory clients, IOptions<WebhookOptions> options, TimeProvider clock)
{
    private WebhookOptions Options => options.Value;

    private static readonly PredicateBuilder<AttemptOutcome> Failure = new PredicateBuilder<AttemptOutcome>()
        .Handle<HttpRequestException>()
        .Handle<TimeoutRejectedException>()
        .HandleResult(r => r.Transient);

    /// <summary>A new pipeline with its own circuit breaker: one per endpoint (each outbox activation builds one).</summary>
    public EndpointPipeline CreatePipeline()
    {
        var o = Options;
        var breaker = new CircuitBreakerStateProvider();
        var builder = new ResiliencePipelineBuilder<AttemptOutcome> { TimeProvider = clock };
        if (o.MaxAttempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions<AttemptOutcome>
            {
                ShouldHandle = Failure,
                MaxRetryAttempts = o.MaxAttempts - 1,
                // Our own exponential backoff with a ±20 % jitter (WebhookBackoff). Polly's decorrelated jitter gave much shorter
                // waits than the doubling the settings name (six attempts in 25 s instead of about a minute), so a partner's
                // half-minute restart at low traffic, where the breaker never opens, made dead letters (thirtieth session, L2).
                DelayGenerator = args => new ValueTask<TimeSpan?>(WebhookBackoff.Delay(args.AttemptNumber, o.BaseDelay, o.MaxDelay, Random.Shared.NextDouble())),
            });
        }
        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<AttemptOutcome>
        {
            ShouldHandle = Failure,
            FailureRatio = o.BreakerFailureRatio,
            MinimumThroughput = o.BreakerMinimumThroughput,
            SamplingDuration = o.BreakerSamplingDuration,
            BreakDuration = o.BreakDuration,
            StateProvider = breaker,
        });
        builder.AddTimeout(o.AttemptTimeout);
        return new EndpointPipeline(builder.Build(), breaker);
    }

    public static byte[] Body(IncidentEvent e) => JsonSerializer.SerializeToUtf8Bytes(WebhookPayload.From(e), DispatchJson.Options);

    /// <summary>
    /// Delivers one event: the pipeline's attempts, then success, or failure with the last error. While the circuit is open
    /// the event is not failed: the delivery waits for the break to end and tries again, so an outage does not turn the
    /// queue into dead letters. Every HTTP attempt is reported to <paramref name="record"/>.
    /// Each attempt after the first reads the endpoint's settings in force from <paramref name="current"/> (when given), so a
    /// URL fixed or a secret rotated while the event is being retried reaches its next attempt; if they cannot be read the
    /// attempt uses the last settings it had. (Before the twenty-third session every retry used the settings of the first attempt.)
    /// </summary>
    public async Task<DeliveryResult> DeliverAsync(EndpointPipeline endpoint, WebhookSubscription subscription, IncidentEvent e,
        Action<WebhookAttempt> record, CancellationToken cancellation, Func<Task<WebhookSubscription?>>? current = null)
    {
        var body = Body(e);
        var client = clients.CreateClient(WebhookOptions.HttpClientName);
        var attempts = 0;
        string? lastError = null;
        while (true)
        {
            try
            {
                var outcome = await endpoint.Pipeline.ExecuteAsync(async token =>
                {
                    attempts++;
                    if (attempts > 1 && current is not null)
                    {
                        try
                        {
                            if (await current() is { } inForce) subscription = inForce;
                        }
                        catch (Exception) when (!token.IsCancellationRequested)
                        {
                            // the registry did not answer: this attempt keeps the settings in hand
                        }
                    }
                    // Switched off while this event was retried: hold it (until the twenty-ninth session the attempts went on and it
                    // became a dead letter, though the admin had switched the endpoint off because its receiver was down).
                    if (!subscription.Active) throw new EndpointSwitchedOffException();
                    var at = clock.GetUtcNow();
                    try
                    {
                        var answer = await Send(client, subscription, e, body, at, token);
                        lastError = answer.Success ? null : $"HTTP {answer.StatusCode}";
                        record(new WebhookAttempt { EventId = e.EventId, At = at, StatusCode = answer.StatusCode, Error = lastError, Succeeded = answer.Success });
                        return answer;
                    }
                    catch (Exception x)
                    {
                        lastError = x is OperationCanceledException && !cancellation.IsCancellationRequested
                            ? $"timeout after {Options.AttemptTimeout.TotalMilliseconds:0} ms"
                            : x.Message;
                        record(new WebhookAttempt { EventId = e.EventId, At = at, Error = lastError, Succeeded = false });
                        throw;
                    }
                }, cancellation);
                return outcome.Success ? new DeliveryResult(true, attempts, null) : await Failed(attempts, $"HTTP {outcome.StatusCode}");
            }
            catch (EndpointSwitchedOffException)
            {
                return new DeliveryResult(false, attempts - 1, null, Held: true);
            }
            catch (BrokenCircuitException open)
            {
                var wait = open.RetryAfter is { } after && after > TimeSpan.Zero ? after : Options.BreakDuration;
                await Task.Delay(wait, clock, cancellation);
            }
            catch (Exception x) when (!cancellation.IsCancellationRequested)
            {
                return await Failed(attempts, lastError ?? x.Message);
            }
        }

        // The last attempt failed; if the endpoint was switched off meanwhile (while that attempt was on the wire), the event is
        // held, not a dead letter, as for a switch between attempts.
        async Task<DeliveryResult> Failed(int made, string error)
        {
            try
            {
                if (current is not null && await current() is { Active: false }) return new DeliveryResult(false, made, null, Held: true);
            }
            catch (Exception) when (!cancellation.IsCancellationRequested)
            {
                // the registry did not answer: the failure stands
            }
            return new DeliveryResult(false, made, error);
        }
    }

    private static readonly ProductInfoHeaderValue UserAgent = new("HuaduDispatch-Webhooks", "1.0");

    private static async Task<AttemptOutcome> Send(HttpClient client, WebhookSubscription subscription, IncidentEvent e, byte[] body, DateTimeOffset at,
        CancellationToken token)
    {
        var timestamp = at.ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, subscription.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.UserAgent.Add(UserAgent); // some partners' firewalls refuse requests without one
        request.Headers.Add(WebhookHeaders.EventId, e.EventId);
        request.Headers.Add(WebhookHeaders.EventType, e.Kind.ToString());
        request.Headers.Add(WebhookHeaders.Timestamp, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookHeaders.Signature, WebhookSignature.Compute(subscription.Secret, timestamp, body));
        // A rotation's overlap: a receiver still holding the secret replaced finds its signature here (since the thirty-first
        // session; before, every delivery between the rotation and the partner's switch was refused and became a dead letter).
        if (subscription.PreviousSecretAt(at) is { } previous)
            request.Headers.Add(WebhookHeaders.PreviousSignature, WebhookSignature.Compute(previous, timestamp, body));
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token);
        return new AttemptOutcome((int)response.StatusCode);
    }

    /// <summary>The handler under the named client: no redirects (a signed delivery goes where it was registered), pooled connections recycled.</summary>
    public static HttpMessageHandler PrimaryHandler() => new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        AutomaticDecompression = DecompressionMethods.None,
    };
}
