using HuaduDispatch.Contracts;

namespace HuaduDispatch.Grains.Api;

[GenerateSerializer, Alias("huadu.IdempotencyState")]
public sealed class IdempotencyState
{
    [Id(0)] public string? Fingerprint { get; set; }
    [Id(1)] public DateTimeOffset FirstSeenAt { get; set; }
    /// <summary>Set while the first request runs; a claim older than the lease is taken to have died with its node.</summary>
    [Id(2)] public DateTimeOffset? RunningSince { get; set; }
    [Id(3)] public StoredResponse? Response { get; set; }
}

/// <summary>One Idempotency-Key of one client: first request runs, the same request later is replayed, a different one is refused.</summary>
public sealed class IdempotencyGrain(
    [PersistentState("idempotency", StorageNames.Dispatch)] IPersistentState<IdempotencyState> state,
    TimeProvider clock) : Grain, IIdempotencyGrain
{
    private IdempotencyState S => state.State;

    public async Task<IdempotencyDecision> Begin(string fingerprint, TimeSpan retention, TimeSpan lease)
    {
        var now = clock.GetUtcNow();
        var decision = IdempotencyRules.Decide(S.Fingerprint, S.FirstSeenAt, S.RunningSince, S.Response is not null, fingerprint, now, retention, lease);
        if (decision != IdempotencyOutcome.Proceed)
            return new IdempotencyDecision
            {
                Outcome = decision, Response = decision == IdempotencyOutcome.Replay ? S.Response : null, FirstSeenAt = S.FirstSeenAt,
                RunningSince = decision == IdempotencyOutcome.InProgress ? S.RunningSince : null,
            };

        S.Fingerprint = fingerprint;
        S.FirstSeenAt = now;
        S.RunningSince = now;
        S.Response = null;
        await state.WriteOrRestartAsync(this);
        return new IdempotencyDecision { Outcome = IdempotencyOutcome.Proceed, FirstSeenAt = now };
    }

    public async Task Complete(string fingerprint, StoredResponse response)
    {
        if (S.Fingerprint != fingerprint) return;
        S.Response = response;
        S.RunningSince = null;
        // Unlike the other writes, a failed one keeps the response in memory: the request did run, so a retry must get its
        // response replayed (and the middleware's Abandon must not free the key), not run it a second time.
        await state.WriteStateAsync();
        DelayDeactivation(TimeSpan.FromMinutes(2)); // retries usually follow quickly
    }

    /// <summary>
    /// Frees the key. It is free in this activation even when the stored record cannot be cleared (the database is down: the
    /// very case a 503 comes from), so a retry through this activation runs at once; only if the activation goes too does the
    /// stored claim hold the key until its lease ends. Until the thirty-first session a failed clear kept the key "still being
    /// processed" for the whole lease, and the retry the 503 asks for got 409s for about a minute (the verifier's M1).
    /// </summary>
    public async Task Abandon(string fingerprint)
    {
        if (S.Fingerprint != fingerprint || S.Response is not null) return;
        var etag = state.Etag;
        state.State = new IdempotencyState();
        try
        {
            await state.ClearStateAsync();
        }
        catch (Exception)
        {
            // The row still holds the claim at this ETag; the next Begin writes over it (or the lease frees it in a new activation).
            if (state.Etag != etag) DeactivateOnIdle(); // the storage's view of the row is unknown: read it afresh next time
            throw;
        }
    }
}

/// <summary>The Idempotency-Key rules, as a plain function of the stored record and the new request.</summary>
public static class IdempotencyRules
{

    public static IdempotencyOutcome Decide(string? storedFingerprint, DateTimeOffset firstSeenAt, DateTimeOffset? runningSince, bool answered,
        string fingerprint, DateTimeOffset now, TimeSpan retention, TimeSpan lease)
    {
        if (storedFingerprint is null || now - firstSeenAt > retention) return IdempotencyOutcome.Proceed;
        if (storedFingerprint != fingerprint) return IdempotencyOutcome.Mismatch;
        if (answered) return IdempotencyOutcome.Replay;
        return runningSince is { } since && now - since < lease ? IdempotencyOutcome.InProgress : IdempotencyOutcome.Proceed;
    }
}
