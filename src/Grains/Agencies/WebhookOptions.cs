namespace HuaduDispatch.Grains.Agencies;

/// <summary>Configuration section "Webhooks": delivery retries, timeouts, the circuit breaker and the resume sweep.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Webhooks";
    /// <summary>The IHttpClientFactory client name.</summary>
    public const string HttpClientName = "webhooks";

    /// <summary>
    /// HTTP attempts per event (the first one included) before it becomes a dead letter: eight spread over about four minutes
    /// (six, over about 25 s with Polly's jitter, until the thirty-first session).
    /// </summary>
    public int MaxAttempts { get; set; } = 8;
    /// <summary>Base of the exponential backoff between attempts (±20 % jitter): 2, 4, 8, 16, 32, 64, 120 s by default.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(2);
    /// <summary>Longest wait between two attempts.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMinutes(2);
    /// <summary>Time allowed for one HTTP attempt (connect, send, answer).</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>The breaker opens when this share of the attempts in the sampling window failed ...</summary>
    public double BreakerFailureRatio { get; set; } = 0.5;
    /// <summary>... and the window held at least this many attempts (Polly's minimum is 2).</summary>
    public int BreakerMinimumThroughput { get; set; } = 10;
    /// <summary>The breaker's sampling window (Polly's minimum is 500 ms).</summary>
    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(60);
    /// <summary>How long an open breaker rejects attempts before it lets one probe through (Polly's minimum is 500 ms).</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>
    /// Period of the durable reminder that an outbox with pending events keeps: it resumes delivery after a restart or a lost
    /// delivery task. Orleans reminders tick at most once a minute unless ReminderOptions.MinimumReminderPeriod is lowered; a
    /// shorter sweep lowers it to match (tests do).
    /// </summary>
    public TimeSpan SweepPeriod { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>
    /// After a secret rotation, how long deliveries also carry the signature made with the secret replaced
    /// (X-Huadu-Signature-Previous), unless the rotation said keepPreviousSecret: false. Zero: no overlap.
    /// </summary>
    public TimeSpan SecretOverlap { get; set; } = TimeSpan.FromHours(24);
    /// <summary>How many recent HTTP attempts GET .../deliveries shows.</summary>
    public int RecentAttempts { get; set; } = 20;
}
