using System.Net;
using HuaduDispatch.Contracts;
using HuaduDispatch.IntegrationTests.Infrastructure;
using HuaduDispatch.Silo.Schema;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HuaduDispatch.IntegrationTests;

/// <summary>
/// Two nodes of one cluster with different token signing keys each refuse the other's tokens, so a client behind a load
/// balancer gets 401s at random. Each node says so in its log (the admin tester's L9, thirtieth session: nothing did).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SigningKeyMismatchTests(PostgresServer postgres)
{
    private const string OtherKey = "another-signing-key-0123456789-abcdefghijklmn";

    [Fact]
    public async Task Nodes_of_one_cluster_with_different_signing_keys_each_log_an_error_naming_the_other()
    {
        var cs = await postgres.CreateDatabaseAsync();
        await new SchemaMigrator(cs).MigrateAsync();
        var logsA = new LogCapture();
        var logsB = new LogCapture();
        await using var a = await DispatchNode.StartAsync(cs, services: s => s.AddSingleton<ILoggerProvider>(logsA));
        await using var b = await DispatchNode.StartAsync(cs, new Dictionary<string, string?> { ["Auth:SigningKey"] = OtherKey },
            services: s => s.AddSingleton<ILoggerProvider>(logsB));

        // What it costs: the same token is taken by one node and refused by the other.
        var token = DispatchNode.Token(Roles.Dispatcher);
        Assert.Equal(HttpStatusCode.OK, (await a.ClientAs(Roles.Dispatcher).GetAsync("/api/v1/teams/T01")).StatusCode);
        var viaB = new HttpClient { BaseAddress = b.BaseAddress };
        viaB.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(HttpStatusCode.Unauthorized, (await viaB.GetAsync("/api/v1/teams/T01")).StatusCode);

        static bool Said(LogCapture logs) => logs.Entries.Any(e => e.Level == LogLevel.Error && e.Message.Contains("differs from the key of node(s)", StringComparison.Ordinal));
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!(Said(logsA) && Said(logsB)) && DateTime.UtcNow < deadline) await Task.Delay(200);
        Assert.True(Said(logsA), "node A did not say its key differs from node B's");
        Assert.True(Said(logsB), "node B did not say its key differs from node A's");
        // Said once per change, not at every registration.
        await Task.Delay(TimeSpan.FromSeconds(6));
        Assert.Single(logsB.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("differs from the key", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Nodes_with_the_same_key_log_no_such_error()
    {
        var cs = await postgres.CreateDatabaseAsync();
        await new SchemaMigrator(cs).MigrateAsync();
        var logs = new LogCapture();
        await using var a = await DispatchNode.StartAsync(cs);
        await using var b = await DispatchNode.StartAsync(cs, services: s => s.AddSingleton<ILoggerProvider>(logs));
        await Task.Delay(TimeSpan.FromSeconds(7)); // past a registration period of each node
        Assert.DoesNotContain(logs.Entries, e => e.Message.Contains("differs from the key", StringComparison.Ordinal));
    }
}
