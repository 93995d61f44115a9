namespace HuaduDispatch.Contracts;

/// <summary>A response kept for an Idempotency-Key, replayed byte for byte when the same request comes again.</summary>
[GenerateSerializer, Immutable, Alias("huadu.StoredResponse")]
public sealed record StoredResponse
{
    [Id(0)] public required int Status { get; init; }
    [Id(1)] public string? ContentType { get; init; }
    [Id(2)] public string? Location { get; init; }
    [Id(3)] public required byte[] Body { get; init; }
}

[Alias("huadu.IdempotencyOutcome")]
public enum IdempotencyOutcome
{
    /// <summary>First use of the key (or its record expired): run the request, then call Complete or Abandon.</summary>
    Proceed,
    /// <summary>The same request was answered before: replay <see cref="IdempotencyDecision.Response"/>.</summary>
    Replay,
    /// <summary>The key was used with a different request (method, path or body): 422.</summary>
    Mismatch,
    /// <summary>The first request with this key is still running: 409, retry shortly.</summary>
    InProgress,
}

[GenerateSerializer, Immutable, Alias("huadu.IdempotencyDecision")]
public sealed record IdempotencyDecision
{
    [Id(0)] public required IdempotencyOutcome Outcome { get; init; }
    [Id(1)] public StoredResponse? Response { get; init; }
    [Id(2)] public DateTimeOffset? FirstSeenAt { get; init; }
    /// <summary>With <see cref="IdempotencyOutcome.InProgress"/>: since when the first request has held the key.</summary>
    [Id(3)] public DateTimeOffset? RunningSince { get; init; }
}

/// <summary>
/// One client's Idempotency-Key (keyed by a hash of the client and the key). Its state lives in grain storage, so in
/// PostgreSQL mode a key and its response survive a restart.
/// </summary>
[Alias("huadu.IIdempotencyGrain")]
public interface IIdempotencyGrain : IGrainWithStringKey
{
    /// <summary>Claims the key for a request with this fingerprint (SHA-256 of method, path and body).</summary>
    [Alias("Begin")] Task<IdempotencyDecision> Begin(string fingerprint, TimeSpan retention, TimeSpan lease);
    /// <summary>Stores the response of the request that claimed the key; durable before it returns.</summary>
    [Alias("Complete")] Task Complete(string fingerprint, StoredResponse response);
    /// <summary>The request failed in a way worth retrying (5xx, 401, 403, 429): release the key.</summary>
    [Alias("Abandon")] Task Abandon(string fingerprint);
}
