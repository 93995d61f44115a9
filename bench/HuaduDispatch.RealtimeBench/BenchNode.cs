using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using HuaduDispatch.Api.Security;
using HuaduDispatch.Silo.Hosting;
using HuaduDispatch.Silo.Schema;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.IdentityModel.Tokens;

namespace HuaduDispatch.RealtimeBench;

/// <summary>
/// One real node in this process, as the executable builds it (DispatchHost.Build: Orleans silo + Kestrel + SignalR), in
/// PostgreSQL mode, on free loopback ports only. Tokens are signed with a key made for this run.
/// </summary>
public sealed class BenchNode : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly AuthOptions _auth;
    private readonly SymmetricSecurityKey _key;
    public Uri BaseAddress { get; }

    private BenchNode(WebApplication app, Uri baseAddress, AuthOptions auth)
    {
        _app = app;
        BaseAddress = baseAddress;
        _auth = auth;
        _key = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(auth.SigningKey!));
    }

    public static async Task<int> MigrateAsync(string connectionString, CancellationToken ct)
    {
        var report = await new SchemaMigrator(connectionString).MigrateAsync(ct);
        return report.CurrentVersion;
    }

    public static async Task<BenchNode> StartAsync(string connectionString, CancellationToken ct)
    {
        var httpPort = FreePort();
        var auth = new AuthOptions { SigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)) };
        var settings = new Dictionary<string, string?>
        {
            ["urls"] = $"http://127.0.0.1:{httpPort}",
            ["ConnectionStrings:Dispatch"] = connectionString,
            ["Auth:SigningKey"] = auth.SigningKey,
            ["Orleans:ClusterId"] = "huadu-rtbench",
            ["Orleans:Endpoints:SiloPort"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Orleans:Endpoints:GatewayPort"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Orleans:Endpoints:AdvertisedIPAddress"] = "127.0.0.1",
            ["Orleans:Endpoints:ListenOnAnyHostAddress"] = "false",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Http:RateLimit:Enabled"] = "false", // the bench measures the write and push path, not the per-client limiter
            ["Logging:LogLevel:Orleans"] = "Error",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Error",
            ["Logging:LogLevel:Microsoft.Extensions.Diagnostics.HealthChecks"] = "Critical", // "not ready yet" while starting
            ["Telemetry:Exporter"] = "none",
        };
        var app = DispatchHost.Build([], b =>
        {
            b.Configuration.AddInMemoryCollection(settings);
            // The benchmark handles Ctrl-C itself (it must stop PostgreSQL after the node), so the host must not.
            b.Services.AddSingleton<IHostLifetime, NoSignalLifetime>();
        });
        await app.StartAsync(ct);
        var node = new BenchNode(app, new Uri($"http://127.0.0.1:{httpPort}"), auth);
        await node.WaitUntilReadyAsync(ct);
        return node;
    }

    private async Task WaitUntilReadyAsync(CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTime.UtcNow.AddSeconds(90);
        var last = "";
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                var response = await http.GetAsync("/health/ready", ct);
                if (response.StatusCode == HttpStatusCode.OK) return;
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}";
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            await Task.Delay(200, ct);
        }
        throw new TimeoutException($"node at {BaseAddress} not ready within 90 s: {last}");
    }

    public string Token(string role, string? teamId = null, string? subject = null) =>
        TokenIssuer.Issue(_auth, _key, role, teamId, null, TimeSpan.FromHours(2), DateTimeOffset.UtcNow, subject);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try { await _app.StopAsync(cts.Token); }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException) { Console.Error.WriteLine("The node did not stop within 30 s."); }
        finally { await _app.DisposeAsync(); }
    }

    /// <summary>A host lifetime that ignores SIGINT/SIGTERM (the benchmark's own handler stops everything in order).</summary>
    private sealed class NoSignalLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
