using HuaduDispatch.Silo.Commands;
using HuaduDispatch.Silo.Hosting;

// One executable for every node: `migrate` and `token` are commands, anything else runs the silo + API.
if (args.Length > 0 && args[0] is "migrate" or "token")
{
    var configuration = new ConfigurationBuilder()
        .SetBasePath(AppContext.BaseDirectory)
        .AddJsonFile("appsettings.json", optional: true)
        .AddJsonFile($"appsettings.{Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? "Production"}.json", optional: true)
        .AddEnvironmentVariables()
        .AddCommandLine(args.Skip(1).Where(a => a.Contains('=')).ToArray())
        .Build();
    return args[0] == "migrate"
        ? await MigrateCommand.RunAsync(configuration, Console.Out, Console.Error)
        : TokenCommand.Run(args.Skip(1).ToArray(), configuration, Console.Out, Console.Error);
}

// A start that fails (a setting the node cannot use, a port in use, the database not migrated) says why on one line and exits
// with 1; the log has the details. Until the thirtieth session it ended as a crash: exit 134, the stack trace printed twice.
WebApplication app;
try
{
    app = DispatchHost.Build(args);
    await app.StartAsync();
}
catch (Exception e)
{
    Console.Error.WriteLine($"The node did not start: {e.Message}");
    return 1;
}
await app.WaitForShutdownAsync();
await app.DisposeAsync();
return 0;
