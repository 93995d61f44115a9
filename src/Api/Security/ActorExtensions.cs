using System.Security.Claims;
using HuaduDispatch.Contracts;

namespace HuaduDispatch.Api.Security;

public static class ActorExtensions
{
    /// <summary>The token's subject and role, recorded on every change.</summary>
    public static Actor ToActor(this ClaimsPrincipal user) => new()
    {
        Subject = user.FindFirstValue("sub") ?? "unknown",
        Role = user.FindFirstValue(Claims.Role) ?? "unknown",
        TeamId = user.FindFirstValue(Claims.TeamId),
        AgencyId = user.FindFirstValue(Claims.AgencyId),
    };

    /// <summary>One client of the API: the role plus the agency, team or subject it acts for (rate limits, idempotency keys).</summary>
    public static string ClientId(this Actor actor) => $"{actor.Role}|{actor.AgencyId ?? actor.TeamId ?? actor.Subject}";
}
