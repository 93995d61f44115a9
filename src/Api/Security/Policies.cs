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
    /// <summary>Who commands a response: dispatcher, commander, admin (levels, transitions, dispatch, tasks).</summary>
    public const string Command = "command";
    /// <summary>Who may report an incident or new figures: dispatcher, commander, admin, agency.</summary>
    public const string Report = "report";
    /// <summary>Who may report a team's status and position or move its tasks: the team itself (own team only), dispatcher, commander, admin.</summary>
    public const string TeamReport = "team-report";
    /// <summary>The console hub: dispatcher, commander, viewer, admin, and agencies (for their own incidents).</summary>
    public const string ConsoleHub = "console-hub";
    /// <summary>The field hub: team tokens only.</summary>
    public const string FieldHub = "field-hub";
    /// <summary>Administrators of the system (reference data, response plans).</summary>
    public const string Admin = "admin";
    /// <summary>
    /// An agency's own registry entry and webhook deliveries: admin, or an agency token (the endpoint then checks that the
    /// agencyId claim is the agency in the path, and answers 404 otherwise).
    /// </summary>
    public const string AgencySelf = "agency-self";

    /// <summary>Who a policy admits, in words (for the OpenAPI document).</summary>
    public static string Describe(string policy) => policy switch
    {
        AnyRole => "any role",
        Console => "dispatcher, commander, viewer, admin",
        Command => "dispatcher, commander, admin",
        Report => "dispatcher, commander, admin, agency (as itself)",
        TeamReport => "the team itself, dispatcher, commander, admin",
        ConsoleHub => "dispatcher, commander, viewer, admin, agency",
        FieldHub => "team",
        Admin => "admin",
        AgencySelf => "admin, or the agency itself",
        _ => policy,
    };

    public static void Add(AuthorizationOptions options)
    {
        options.AddPolicy(AnyRole, p => p.RequireAuthenticatedUser().RequireRole(Roles.All));
        options.AddPolicy(Console, p => p.RequireAuthenticatedUser().RequireRole(Roles.Dispatcher, Roles.Commander, Roles.Viewer, Roles.Admin));
        options.AddPolicy(Admin, p => p.RequireAuthenticatedUser().RequireRole(Roles.Admin));
        options.AddPolicy(AgencySelf, p => p.RequireAuthenticatedUser().RequireAssertion(c =>
            c.User.IsInRole(Roles.Admin) || (c.User.IsInRole(Roles.Agency) && c.User.HasClaim(h => h.Type == Claims.AgencyId && h.Value.Length > 0))));
        options.AddPolicy(ConsoleHub, p => p.RequireAuthenticatedUser().RequireRole(Roles.Dispatcher, Roles.Commander, Roles.Viewer, Roles.Admin, Roles.Agency));
        options.AddPolicy(FieldHub, p => p.RequireAuthenticatedUser().RequireRole(Roles.Team).RequireClaim(Claims.TeamId));
        options.AddPolicy(Command, p => p.RequireAuthenticatedUser().RequireRole(Roles.Dispatcher, Roles.Commander, Roles.Admin));
        options.AddPolicy(Report, p => p.RequireAuthenticatedUser().RequireRole(Roles.Dispatcher, Roles.Commander, Roles.Admin, Roles.Agency));
        options.AddPolicy(TeamReport, p => p.RequireAuthenticatedUser().RequireRole(Roles.Team, Roles.Dispatcher, Roles.Commander, Roles.Admin));
        // Nothing is anonymous unless it says so (only the health probes do).
        options.FallbackPolicy = options.GetPolicy(AnyRole);
    }
}
