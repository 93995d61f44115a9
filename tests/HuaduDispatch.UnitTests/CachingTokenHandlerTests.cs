using System.Security.Claims;
using HuaduDispatch.Api.Security;
using HuaduDispatch.Contracts;
using Microsoft.IdentityModel.Tokens;

namespace HuaduDispatch.UnitTests;

public sealed class CachingTokenHandlerTests
{
    private const string KeyText = "unit-test-signing-key-0123456789abcdefghij";
    private static readonly SymmetricSecurityKey Key = new(System.Text.Encoding.UTF8.GetBytes(KeyText)) { KeyId = "huadu" };
    private static readonly AuthOptions Auth = new() { SigningKey = KeyText };
    // Validation itself reads the system clock; the cache reads its own, which these tests move.
    private static readonly DateTimeOffset T0 = DateTimeOffset.UtcNow;
    private static readonly TokenValidationParameters Parameters = TokenIssuer.ValidationParameters(Auth, Key);

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    /// <summary>A handler whose cache reads a clock the test moves, starting at T0.</summary>
    private static (CachingTokenHandler Handler, ManualClock Clock) Cached()
    {
        var clock = new ManualClock(T0);
        return (new CachingTokenHandler(clock) { MapInboundClaims = false }, clock);
    }

    private static string TeamToken(string team, TimeSpan lifetime) =>
        TokenIssuer.Issue(Auth, Key, Roles.Team, team, null, lifetime, T0);

    [Fact]
    public async Task A_token_seen_valid_is_answered_from_the_cache_with_its_own_copy_of_the_claims()
    {
        var (handler, _) = Cached();
        var token = TeamToken("D01", TimeSpan.FromHours(8));

        var first = await handler.ValidateTokenAsync(token, Parameters);
        var second = await handler.ValidateTokenAsync(token, Parameters);

        Assert.True(first.IsValid, first.Exception?.Message);
        Assert.True(second.IsValid);
        Assert.Equal(1, handler.Count);
        // Validated again, the token would be parsed into a new object: the same one means the signature was not checked twice.
        Assert.Same(first.SecurityToken, second.SecurityToken);
        Assert.True(second.ClaimsIdentity.HasClaim(Claims.TeamId, "D01"));
        Assert.True(second.ClaimsIdentity.HasClaim(Claims.Role, Roles.Team));

        second.ClaimsIdentity.AddClaim(new Claim(Claims.TeamId, "D02"));
        var third = await handler.ValidateTokenAsync(token, Parameters);
        Assert.False(third.ClaimsIdentity.HasClaim(Claims.TeamId, "D02"));
        Assert.NotSame(second.ClaimsIdentity, third.ClaimsIdentity);
    }

    [Fact]
    public async Task A_cached_token_is_validated_in_full_again_once_its_expiry_plus_the_clock_skew_has_passed()
    {
        var (handler, clock) = Cached();
        var token = TeamToken("D01", TimeSpan.FromMinutes(3)); // expires at T0 + 3 min; the clock skew allows 1 min more

        var first = await handler.ValidateTokenAsync(token, Parameters);
        clock.Now = T0.AddMinutes(3).AddSeconds(59);
        Assert.Same(first.SecurityToken, (await handler.ValidateTokenAsync(token, Parameters)).SecurityToken);

        clock.Now = T0.AddMinutes(4).AddSeconds(1);
        var late = await handler.ValidateTokenAsync(token, Parameters);
        Assert.NotSame(first.SecurityToken, late.SecurityToken); // not answered from the cache: validation decides
    }

    [Fact]
    public async Task An_expired_token_is_refused_and_not_cached()
    {
        var handler = new CachingTokenHandler { MapInboundClaims = false };
        var token = TokenIssuer.Issue(Auth, Key, Roles.Team, "D01", null, TimeSpan.FromMinutes(5), T0.AddMinutes(-10));
        var result = await handler.ValidateTokenAsync(token, Parameters);
        Assert.False(result.IsValid);
        Assert.IsType<SecurityTokenExpiredException>(result.Exception);
        Assert.Equal(0, handler.Count);
    }

    [Fact]
    public async Task A_token_is_validated_in_full_again_after_the_cache_s_maximum_age()
    {
        var (handler, clock) = Cached();
        var token = TeamToken("D01", TimeSpan.FromHours(8));

        var first = await handler.ValidateTokenAsync(token, Parameters);
        clock.Now += CachingTokenHandler.MaxAge;
        var again = await handler.ValidateTokenAsync(token, Parameters);

        Assert.True(again.IsValid);
        Assert.NotSame(first.SecurityToken, again.SecurityToken);
    }

    [Fact]
    public async Task Invalid_tokens_are_never_cached_and_a_changed_byte_is_a_different_token()
    {
        var (handler, _) = Cached();
        var token = TeamToken("D01", TimeSpan.FromHours(8));
        Assert.True((await handler.ValidateTokenAsync(token, Parameters)).IsValid);

        var tampered = token[..^2] + (token[^2] == 'A' ? 'B' : 'A') + token[^1];
        var otherKey = TokenIssuer.Issue(Auth, new SymmetricSecurityKey(System.Text.Encoding.UTF8.GetBytes(new string('x', 40))),
            Roles.Team, "D01", null, TimeSpan.FromHours(8), T0);
        for (var i = 0; i < 2; i++)
        {
            Assert.False((await handler.ValidateTokenAsync(tampered, Parameters)).IsValid);
            Assert.False((await handler.ValidateTokenAsync(otherKey, Parameters)).IsValid);
        }
        Assert.Equal(1, handler.Count);
    }
}
