using System.Security.Claims;
using HuaduDispatch.Contracts;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace HuaduDispatch.Api.Security;

/// <summary>Issues tokens signed with the configured key (the `token` command; a bureau's identity provider can replace it).</summary>
public static class TokenIssuer
{
    public static string Issue(AuthOptions options, SecurityKey key, string role, string? teamId, string? agencyId,
        TimeSpan lifetime, DateTimeOffset now, string? subject = null)
    {
        if (!Roles.All.Contains(role)) throw new ArgumentException($"unknown role '{role}'; use one of: {string.Join(", ", Roles.All)}");
        if (role == Roles.Team && string.IsNullOrWhiteSpace(teamId)) throw new ArgumentException("a team token needs --team ID");
        if (role == Roles.Agency && string.IsNullOrWhiteSpace(agencyId)) throw new ArgumentException("an agency token needs --agency ID");
        if (lifetime <= TimeSpan.Zero) throw new ArgumentException("the lifetime must be positive");

        var claims = new Dictionary<string, object>
        {
            [Claims.Role] = role,
            [JwtRegisteredClaimNames.Sub] = subject ?? (teamId ?? agencyId ?? role),
        };
        if (!string.IsNullOrWhiteSpace(teamId)) claims[Claims.TeamId] = teamId;
        if (!string.IsNullOrWhiteSpace(agencyId)) claims[Claims.AgencyId] = agencyId;

        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = options.Issuer,
            Audience = options.Audience,
            Claims = claims,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime.AddMinutes(-1),
            Expires = now.Add(lifetime).UtcDateTime,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    public static TokenValidationParameters ValidationParameters(AuthOptions options, SecurityKey key) => new()
    {
        ValidIssuer = options.Issuer,
        ValidAudience = options.Audience,
        IssuerSigningKey = key,
        ValidateIssuerSigningKey = true,
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        RoleClaimType = Claims.Role,
        NameClaimType = JwtRegisteredClaimNames.Sub,
        ClockSkew = TimeSpan.FromMinutes(1),
    };
}
