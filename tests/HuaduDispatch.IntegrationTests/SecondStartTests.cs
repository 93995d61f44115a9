using System.Diagnostics;
using HuaduDispatch.IntegrationTests.Infrastructure;
using HuaduDispatch.Silo.Schema;

namespace HuaduDispatch.IntegrationTests;

/// <summary>
/// The start command run a second time by mistake (the same ports) refuses to start before it joins the cluster. Until the
/// thirtieth session it listened beside the running node on the same silo port (Orleans listens with address reuse), marked
/// the running node Dead as an older clone of itself, and the running node stopped about 20 s later (an exploratory test).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SecondStartTests(PostgresServer postgres)
{
    [Fact]
    public async Task A_second_node_given_the_running_nodes_silo_port_refuses_to_start_and_the_running_node_stays()
    {
        var cs = await postgres.CreateDatabaseAsync();
        await new SchemaMigrator(cs).MigrateAsync();
        var (siloPort, gatewayPort) = (DispatchNode.FreePort(), DispatchNode.FreePort());
        await using var running = await DispatchNode.StartAsync(cs, siloPort: siloPort, gatewayPort: gatewayPort);

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = AppContext.BaseDirectory };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "HuaduDispatch.Silo.dll"));
        // Its own HTTP port: only the silo port is the running node's (the copied-SiloPort variant of the mistake).
        foreach (var (key, value) in DispatchNode.Settings(cs, null, DispatchNode.FreePort(), siloPort, DispatchNode.FreePort()))
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        using var second = Process.Start(start)!;
        var output = second.StandardOutput.ReadToEndAsync();
        var errors = second.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await second.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            second.Kill(entireProcessTree: true);
            Assert.Fail("the second node did not refuse to start: it runs beside the running node on its silo port");
        }
        var said = await output + await errors;
        // One line and exit 1 (a start failure ended as a crash, exit 134 with the stack printed twice, until the thirtieth session).
        Assert.Equal(1, second.ExitCode);
        Assert.Contains("The node did not start: Orleans:Endpoints:SiloPort", said);
        Assert.DoesNotContain("Unhandled exception", said);
        Assert.Contains($"Orleans:Endpoints:SiloPort {siloPort} on 127.0.0.1: address already in use", said);
        Assert.DoesNotContain("older clone", said);

        // The running node was not declared dead: it still answers, and its silo is Active in the membership.
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(System.Net.HttpStatusCode.OK, (await running.Http.GetAsync("/health/ready")).StatusCode);
        var hosts = await running.Grains.GetGrain<Orleans.Runtime.IManagementGrain>(0).GetHosts(onlyActive: true);
        Assert.Single(hosts);
    }
}
