using System.Net.Http.Json;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using HuaduDispatch.Api.Security;
using HuaduDispatch.Contracts;
using HuaduDispatch.Silo.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.IdentityModel.Tokens;

namespace HuaduDispatch.IntegrationTests.Infrastructure;

/// <summary>One real node (the same host the executable builds: Orleans silo + Kestrel on a free loopback port) inside the test process.</summary>
public sealed class DispatchNode : IAsyncDisposable
{
    public const string SigningKey = "integration-tests-signing-key-0123456789abcdef";

    private readonly WebApplication _app;
    public Uri BaseAddress { get; }
    public HttpClient Http { get; }
    public IServiceProvider Services => _app.Services;
    public IGrainFactory Grains => _app.Services.GetRequiredService<IGrainFactory>();

    private string? _connectionString;

    private DispatchNode(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>
    /// Starts a node; connectionString null means the embedded mode. Waits until /health/ready answers 200. <paramref name="services"/>
    /// registers services before the node's own (for the few the node adds only when none is there, e.g. the relief planner).
    /// </summary>
    public static async Task<DispatchNode> StartAsync(string? connectionString, IDictionary<string, string?>? extra = null, int? siloPort = null, int? gatewayPort = null,
        Action<IServiceCollection>? services = null)
    {
        // A port found free can be taken by another process before the node binds it: then try again with fresh ports.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryStartAsync(connectionString, extra, siloPort, gatewayPort, services);
            }
            catch (Exception e) when (attempt < 3 && AddressInUse(e))
            {
            }
        }
    }

    /// <summary>
    /// A port taken between finding it free and binding it: Kestrel says so with an IOException, the Orleans silo and gateway
    /// listeners with an AddressInUseException (an InvalidOperationException), possibly wrapped.
    /// </summary>
    private static bool AddressInUse(Exception e) =>
        e.ToString().Contains("address already in use", StringComparison.OrdinalIgnoreCase);

    private static async Task<DispatchNode> TryStartAsync(string? connectionString, IDictionary<string, string?>? extra, int? siloPort, int? gatewayPort,
        Action<IServiceCollection>? services)
    {
        var httpPort = FreePort();
        var settings = Settings(connectionString, extra, httpPort, siloPort, gatewayPort);

        var app = DispatchHost.Build([], b =>
        {
            b.Configuration.AddInMemoryCollection(settings);
            services?.Invoke(b.Services);
        });
        try
        {
            await app.StartAsync();
        }
        catch (Exception e) when (AddressInUse(e))
        {
            try { await app.StopAsync(); } catch (Exception) { /* the silo may be half started; the retry starts a fresh one */ }
            await app.DisposeAsync();
            throw;
        }
        var node = new DispatchNode(app, new Uri($"http://127.0.0.1:{httpPort}")) { _connectionString = connectionString };
        await node.WaitUntilReadyAsync();
        return node;
    }

    /// <summary>The configuration of a test node: its ports, the test signing key and cluster, then <paramref name="extra"/>.</summary>
    internal static Dictionary<string, string?> Settings(string? connectionString, IDictionary<string, string?>? extra, int httpPort, int? siloPort, int? gatewayPort)
    {
        var settings = new Dictionary<string, string?>
        {
            ["urls"] = $"http://127.0.0.1:{httpPort}",
            ["Auth:SigningKey"] = SigningKey,
            ["Orleans:ClusterId"] = "huadu-tests",
            ["Orleans:Endpoints:SiloPort"] = (siloPort ?? FreePort()).ToString(),
            ["Orleans:Endpoints:GatewayPort"] = (gatewayPort ?? FreePort()).ToString(),
            ["Orleans:Endpoints:AdvertisedIPAddress"] = "127.0.0.1",
            ["Orleans:Endpoints:ListenOnAnyHostAddress"] = "false",
            ["Logging:LogLevel:Default"] = "Warning",
            // Tests that are not about rate limiting drive one token hard; HardeningTests sets a low limit where it is the subject.
            ["Http:RateLimit:PermitsPerSecond"] = "100000",
            ["Http:RateLimit:Burst"] = "100000",
        };
        if (connectionString is not null) settings["ConnectionStrings:Dispatch"] = connectionString;
        foreach (var (k, v) in extra ?? new Dictionary<string, string?>()) settings[k] = v;
        return settings;
    }

    /// <summary>Polls /health/ready on <paramref name="http"/> until it answers 200 (120 s at most).</summary>
    internal static async Task WaitUntilReadyAsync(HttpClient http, Func<string?>? exited = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120); // generous: CI shares 2 cores
        string last = "";
        while (DateTime.UtcNow < deadline)
        {
            if (exited?.Invoke() is { } why) throw new InvalidOperationException($"the node at {http.BaseAddress} exited before it was ready: {why}");
            try
            {
                var response = await http.GetAsync("/health/ready");
                if (response.StatusCode == HttpStatusCode.OK) return;
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"node at {http.BaseAddress} not ready within 120 s: {last}");
    }

    private Task WaitUntilReadyAsync() => WaitUntilReadyAsync(Http);

    /// <summary>A token signed with the test key, as `token --role ...` would print it.</summary>
    public static string Token(string role, string? teamId = null, string? agencyId = null, string? signingKey = null, TimeSpan? lifetime = null,
        string? subject = null)
    {
        var options = new AuthOptions { SigningKey = signingKey ?? SigningKey };
        var key = new SymmetricSecurityKey(System.Text.Encoding.UTF8.GetBytes(options.SigningKey!));
        return TokenIssuer.Issue(options, key, role, teamId, agencyId, lifetime ?? TimeSpan.FromHours(1), DateTimeOffset.UtcNow, subject);
    }

    /// <summary>An HTTP client for this node carrying a token of the role (its subject the role's name, or <paramref name="subject"/>).</summary>
    public HttpClient ClientAs(string role, string? teamId = null, string? agencyId = null, string? subject = null)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token(role, teamId, agencyId, subject: subject));
        return client;
    }

    /// <summary>
    /// Registers partner agencies by the admin API (an agency token counts only for a registered agency); one registered
    /// already is left as it is. The kind is Police: the tests that use these ids are not about the kind.
    /// </summary>
    public async Task RegisterAgenciesAsync(params string[] ids)
    {
        var admin = ClientAs(Roles.Admin);
        foreach (var id in ids)
        {
            var response = await admin.PostAsJsonAsync("/api/v1/agencies",
                new { id, nameZh = id, nameEn = id, kind = "Police", contact = new { name = "Duty officer", phone = "110" } });
            if (response.StatusCode is not (HttpStatusCode.Created or HttpStatusCode.Conflict))
                throw new InvalidOperationException($"registering agency {id} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try { await _app.StopAsync(cts.Token); }
        finally
        {
            await _app.DisposeAsync();
            // Close this node's idle PostgreSQL connections now rather than after the pool's idle lifetime.
            if (_connectionString is not null) Npgsql.NpgsqlConnection.ClearPool(new Npgsql.NpgsqlConnection(_connectionString));
        }
    }
}
