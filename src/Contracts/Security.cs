namespace HuaduDispatch.Contracts;

/// <summary>Roles carried in the JWT "role" claim.</summary>
public static class Roles
{
    public const string Dispatcher = "dispatcher";
    public const string Commander = "commander";
    /// <summary>A rescue team's radio or app; the token carries a <see cref="Claims.TeamId"/> claim.</summary>
    public const string Team = "team";
    /// <summary>A partner agency's system; the token carries an <see cref="Claims.AgencyId"/> claim.</summary>
    public const string Agency = "agency";
    public const string Viewer = "viewer";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [Dispatcher, Commander, Team, Agency, Viewer, Admin];
}

public static class Claims
{
    public const string Role = "role";
    public const string TeamId = "teamId";
    public const string AgencyId = "agencyId";
}
