using HuaduDispatch.Api.Security;

namespace HuaduDispatch.Silo.Commands;

/// <summary>`token --role ROLE [--team ID] [--agency ID] [--hours 8]`: prints a token signed with the configured key.</summary>
public static class TokenCommand
{
    public static int Run(string[] args, IConfiguration configuration, TextWriter output, TextWriter error)
    {
        string? role = null, team = null, agency = null, subject = null;
        double hours = 8;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            try
            {
                switch (args[i])
                {
                    case "--role": role = Next(); break;
                    case "--team": team = Next(); break;
                    case "--agency": agency = Next(); break;
                    case "--subject": subject = Next(); break;
                    case "--hours":
                        var text = Next();
                        if (!double.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out hours) || hours <= 0 || hours > 24 * 366)
                            throw new ArgumentException($"--hours '{text}' is not a number of hours from more than 0 to 8784 (366 days)");
                        break;
                    default:
                        if (args[i].StartsWith("--", StringComparison.Ordinal) && args[i].Contains('=')) break; // configuration override
                        throw new ArgumentException($"unknown option {args[i]}");
                }
            }
            catch (ArgumentException e)
            {
                error.WriteLine($"token: {e.Message}");
                return 2;
            }
        }
        if (role is null)
        {
            error.WriteLine("usage: token --role dispatcher|commander|team|agency|viewer|admin [--team ID] [--agency ID] [--subject NAME] [--hours 8]");
            return 2;
        }
        // An agency reads the incidents whose source is its id, so its token names a real agency id: not "Police 110", and not
        // one of the district's own sources (a "hotline" token reported as the hotline). Before the twenty-third session any text was signed.
        if (role == Contracts.Roles.Agency && agency is not null && Contracts.IncidentSources.AgencyIdProblem(agency) is { } problem)
        {
            error.WriteLine($"token: --agency '{agency}' {problem}");
            return 2;
        }
        var options = configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
        try
        {
            var key = SigningKeys.Resolve(options);
            // Said on stderr, so that `TOKEN=$(... token ...)` still captures the token alone. Until the thirtieth session the
            // command said nothing, and its token was a 401 on a node with a real key, with no hint why.
            if (key.IsDevelopmentKey)
                error.WriteLine($"token: signed with the development key in {key.DevKeyPath}: only a node without Auth__SigningKey on this machine accepts it; set Auth__SigningKey to the nodes' key");
            if (subject is null)
                error.WriteLine($"token: no --subject: the token's subject (who the timeline and records name) is '{team ?? agency ?? role}'");
            output.WriteLine(TokenIssuer.Issue(options, key.Key, role, team, agency, TimeSpan.FromHours(hours), DateTimeOffset.UtcNow, subject));
            return 0;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // A key too short, for one: a one-line refusal, not a crash with a stack trace (exit 134 until the thirtieth session).
            error.WriteLine($"token: {e.Message}");
            return 2;
        }
    }
}
