using System.Collections.Concurrent;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace HuaduDispatch.Api.Security;

/// <summary>
/// The bearer token handler with a cache of tokens it has already found valid. A radio or console sends the same token with
/// every request for hours; checking its signature and reading its claims again each time was about 8 % of a node's CPU at
/// 5,000 position reports a second. A token is looked up by its exact text, so a changed byte is a different token and is
/// validated in full. Only valid tokens are kept, each until its own expiry plus the clock skew (exactly when validation would
/// start refusing it) or at most <see cref="MaxAge"/>, and the caller gets its own copy of the claims. The validation parameters are fixed for the process
/// (one signing key from configuration, no key discovery and no revocation list), which is what makes a cached answer the
/// answer validation would give.
/// </summary>
public sealed class CachingTokenHandler(TimeProvider? clock = null) : JsonWebTokenHandler
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);
    public const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<string, Entry> _valid = new(StringComparer.Ordinal);

    private sealed record Entry(TokenValidationResult Result, DateTimeOffset Until);

    /// <summary>Tokens held now (for tests and diagnostics).</summary>
    public int Count => _valid.Count;

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        if (string.IsNullOrEmpty(token)) return await base.ValidateTokenAsync(token, validationParameters);
        var now = _clock.GetUtcNow();
        if (_valid.TryGetValue(token, out var hit))
        {
            if (now < hit.Until) return Copy(hit.Result);
            _valid.TryRemove(KeyValuePair.Create(token, hit));
        }

        var result = await base.ValidateTokenAsync(token, validationParameters);
        // A token without an expiry is refused by validation (RequireExpirationTime), so it never gets here valid; kept out anyway.
        if (result.IsValid && result.SecurityToken is { ValidTo: var validTo } && validTo > DateTime.MinValue)
        {
            var expiry = new DateTimeOffset(DateTime.SpecifyKind(validTo, DateTimeKind.Utc)) + validationParameters.ClockSkew;
            if (_valid.Count >= MaxEntries) Sweep(now);
            if (_valid.Count < MaxEntries) _valid[token] = new Entry(Copy(result), expiry < now + MaxAge ? expiry : now + MaxAge);
        }
        return result;
    }

    /// <summary>Drops the entries that have run out; when that is not enough (a flood of distinct valid tokens), all of them.</summary>
    private void Sweep(DateTimeOffset now)
    {
        foreach (var (token, entry) in _valid)
            if (now >= entry.Until) _valid.TryRemove(KeyValuePair.Create(token, entry));
        if (_valid.Count >= MaxEntries) _valid.Clear();
    }

    // A fresh identity for each request: the pipeline may add claims to the one it gets.
    private static TokenValidationResult Copy(TokenValidationResult result) => new()
    {
        IsValid = true,
        ClaimsIdentity = result.ClaimsIdentity.Clone(),
        SecurityToken = result.SecurityToken,
        Issuer = result.Issuer,
        TokenType = result.TokenType,
    };
}
