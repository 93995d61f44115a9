using HuaduDispatch.Contracts;
using Microsoft.AspNetCore.Authorization;

namespace HuaduDispatch.Api.Security;

/// <summary>Authorization policies; every endpoint names one next to its route.</summary>
public static class Policies
{
    /// <summary>Any authenticated role: dispatcher, commander, team, agency, viewer, admin.</summary>
    public const string AnyRole = "any-role";
    /// <summary>The command centre's consoles: dispatcher, commander, viewer, admin.</summary>
    public const string Console = "console";
    /// <summary>Administrators of the system (reference data, response plans).</summary>
    public const string Admin = "admin";

    public static void Add(AuthorizationOptions options)
    {
        options.AddPolicy(AnyRole, p => p.RequireAuthenticatedUser().RequireRole(Roles.All));
        options.AddPolicy(Console, p => p.RequireAuthenticatedUser().RequireRole(Roles.Dispatcher, Roles.Commander, Roles.Viewer, Roles.Admin));
        options.AddPolicy(Admin, p => p.RequireAuthenticatedUser().RequireRole(Roles.Admin));
        // Nothing is anonymous unless it says so (only the health probes do).
        options.FallbackPolicy = options.GetPolicy(AnyRole);
    }
}
