using System.Net;
using System.Net.Http.Json;
using HuaduDispatch.Contracts;
using HuaduDispatch.IntegrationTests.Infrastructure;
using HuaduDispatch.Silo.Schema;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.SignalR;
using Xunit.Abstractions;

namespace HuaduDispatch.IntegrationTests;

/// <summary>
/// PostgreSQL goes away while the node runs (a restart for maintenance, a failover) and comes back. The node is not restarted:
/// while the database is down, writes are a 503 a client may retry, never a 500, and readiness says why; once it is back, the
/// same node takes writes again, stores them, and pushes them to the consoles that stayed connected.
/// </summary>
public sealed class DatabaseOutageTests(ITestOutputHelper output)
{
    [Fact]
    public async Task While_postgres_is_down_writes_are_503_and_once_it_is_back_the_same_node_stores_and_pushes_them()
    {
        // Its own server: stopping the collection's shared one would fail the other tests.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var server = new PostgresServer();
        await server.InitializeAsync();
        try
        {
            var cs = await server.CreateDatabaseAsync();
            await new SchemaMigrator(cs).MigrateAsync();
            await using (var node = await DispatchNode.StartAsync(cs))
            {
                var dispatcher = node.ClientAs(Roles.Dispatcher);
                var radio = node.ClientAs(Roles.Team, teamId: "D02");
                Assert.Equal(HttpStatusCode.OK, (await radio.PostAsJsonAsync("/api/v1/teams/D02/position", Report(23.40))).StatusCode);
                await node.RegisterAgenciesAsync("water-affairs"); // its token is not used before the outage, and its record not in memory
                await node.Grains.GetGrain<IAgencyGrain>("water-affairs").AsReference<Orleans.Core.Internal.IGrainManagementExtension>().DeactivateOnIdle();
                var seen = await dispatcher.GetOk<RescueTeam>("/api/v1/teams/D05");
                var opened = await dispatcher.PostAsJsonAsync("/api/v1/incidents", HardeningTests.Incident("Before the outage"));
                Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
                var before = (await opened.Content.ReadFromJsonAsync<Incident>(DispatchJson.Options))!;
                await using var console = await HubClient.ConnectAsync(node, "/hubs/dispatch", DispatchNode.Token(Roles.Dispatcher));
                var snapshot = await console.Connection.InvokeAsync<ScopeSnapshot>("Subscribe", Scopes.District);
                await using var field = await HubClient.ConnectAsync(node, "/hubs/field", DispatchNode.Token(Roles.Team, teamId: "D03"));

                await server.StopServerAsync();

                var ready = await node.Http.GetAsync("/health/ready");
                Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
                // It says which check failed, and nothing of the error (the probe is anonymous).
                Assert.Equal("""{"status":"Unhealthy","checks":{"silo":"Healthy","postgres":"Unhealthy"}}""", await ready.Content.ReadAsStringAsync());
                output.WriteLine($"{clock.Elapsed}: stopped, ready 503");

                // A report and a new incident: each is refused as the server's trouble, with a time to retry.
                foreach (var refused in new[]
                         {
                             await radio.PostAsJsonAsync("/api/v1/teams/D02/position", Report(23.41)),
                             await dispatcher.PostAsJsonAsync("/api/v1/incidents", HardeningTests.Incident("During the outage")),
                         })
                {
                    var text = await refused.Content.ReadAsStringAsync();
                    Assert.True(refused.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)refused.StatusCode} {text}");
                    Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
                    Assert.NotNull(refused.Headers.RetryAfter?.Delta);
                }

                // An agency token whose agency's standing the node has not read yet: a 503 that says nothing was done (the
                // registry cannot be read), not one that says the change may have taken effect.
                var agencyReport = await node.ClientAs(Roles.Agency, agencyId: "water-affairs").PostAsJsonAsync("/api/v1/incidents", HardeningTests.Incident("Agency during the outage", source: null));
                var agencyText = await agencyReport.Content.ReadAsStringAsync();
                Assert.True(agencyReport.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)agencyReport.StatusCode} {agencyText}");
                Assert.Contains("nothing was done", agencyText);

                // What the node holds in memory still answers (records not in memory are a 503 until the database is back).
                Assert.Equal("Before the outage", (await dispatcher.GetOk<Incident>($"/api/v1/incidents/{before.Id}")).Title);
                Assert.Contains(await dispatcher.GetOk<List<IncidentSummary>>("/api/v1/incidents"), i => i.Id == before.Id);
                Assert.Equal(seen.Position, (await dispatcher.GetOk<RescueTeam>("/api/v1/teams/D05")).Position);

                // The same report from a team's app on the field hub.
                var hubRefusal = await Assert.ThrowsAsync<HubException>(() => field.Connection.InvokeAsync("ReportPosition",
                    new TeamPositionReport { Lat = 23.41, Lon = 113.21, At = DateTimeOffset.UtcNow }));
                Assert.StartsWith("503 Unavailable", hubRefusal.Message.Split(": ", 2)[^1]);
                output.WriteLine($"{clock.Elapsed}: refused");
                await server.StartServerAsync();
                output.WriteLine($"{clock.Elapsed}: started");

                // A radio retries its report until the node takes it; every answer meanwhile is a 503, never a 500.
                var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
                HttpResponseMessage stored;
                while (true)
                {
                    stored = await radio.PostAsJsonAsync("/api/v1/teams/D02/position", Report(23.42));
                    if (stored.StatusCode == HttpStatusCode.OK) break;
                    var text = await stored.Content.ReadAsStringAsync();
                    Assert.True(stored.StatusCode == HttpStatusCode.ServiceUnavailable, $"after the restart: {(int)stored.StatusCode} {text}");
                    Assert.True(DateTime.UtcNow < deadline, $"the node still refused reports 60 s after PostgreSQL was back: {text}");
                    await Task.Delay(500);
                }
                output.WriteLine($"{clock.Elapsed}: stored");
                await field.Connection.InvokeAsync("ReportPosition", new TeamPositionReport { Lat = 23.43, Lon = 113.21, At = DateTimeOffset.UtcNow });
                var created = await dispatcher.PostAsJsonAsync("/api/v1/incidents", HardeningTests.Incident("After the outage"));
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);

                Assert.Equal(23.42, (await dispatcher.GetOk<RescueTeam>("/api/v1/teams/D02")).Position.Lat);
                var readyAgain = await node.Http.GetAsync("/health/ready");
                Assert.Equal(HttpStatusCode.OK, readyAgain.StatusCode);
                Assert.Equal("""{"status":"Healthy","checks":{"silo":"Healthy","postgres":"Healthy"}}""", await readyAgain.Content.ReadAsStringAsync());

                // The console that stayed connected gets the change, in sequence after what it had.
                var pushed = await console.WaitFor(d => d.Kind == DeltaKinds.Team && d.Id == "D02"
                                                        && HubClient.Data<RescueTeam>(d).Position.Lat == 23.42, TimeSpan.FromSeconds(15));
                Assert.True(pushed.Seq > snapshot.Seq);
                // Deltas at or below the snapshot's seq can arrive too (sent between joining and the snapshot; the resync rule
                // skips them); those after it follow each other by exactly one.
                var seqs = console.For(Scopes.District).Select(d => d.Seq).Where(seq => seq > snapshot.Seq).ToList();
                Assert.Equal(Enumerable.Range(0, seqs.Count).Select(i => snapshot.Seq + 1 + i), seqs);
            }

            output.WriteLine($"{clock.Elapsed}: node stopped");
            // What the node acknowledged after the outage is in PostgreSQL: a new node reads it back; the refused report is not there.
            await using var restarted = await DispatchNode.StartAsync(cs);
            var reader = restarted.ClientAs(Roles.Dispatcher);
            Assert.Equal(23.42, (await reader.GetOk<RescueTeam>("/api/v1/teams/D02")).Position.Lat);
            Assert.Equal(23.43, (await reader.GetOk<RescueTeam>("/api/v1/teams/D03")).Position.Lat);
            var incidents = await reader.GetOk<List<IncidentSummary>>("/api/v1/incidents");
            Assert.Contains(incidents, i => i.Title == "After the outage");
            Assert.DoesNotContain(incidents, i => i.Title == "During the outage");
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    /// <summary>
    /// A PostgreSQL restart while the node is idle (maintenance): once readiness says the database is back, the first writes
    /// are stored. Until the thirty-first session the first write after each restart was a 503 that said it might have taken
    /// effect (the pooled connections' sessions had ended; the contract tester's M2, four restarts in four).
    /// </summary>
    [Fact]
    public async Task After_a_postgres_restart_the_first_writes_once_the_node_is_ready_are_stored()
    {
        var server = new PostgresServer();
        await server.InitializeAsync();
        try
        {
            var cs = await server.CreateDatabaseAsync();
            await new SchemaMigrator(cs).MigrateAsync();
            await using var node = await DispatchNode.StartAsync(cs);
            var dispatcher = node.ClientAs(Roles.Dispatcher);
            var radio = node.ClientAs(Roles.Team, teamId: "D02");
            // The pool holds connections from writes and reads before the restart.
            Assert.Equal(HttpStatusCode.Created, (await dispatcher.PostAsJsonAsync("/api/v1/incidents", HardeningTests.Incident("Before the restart"))).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await radio.PostAsJsonAsync("/api/v1/teams/D02/position", Report(23.40))).StatusCode);

            Assert.Equal(HttpStatusCode.OK, (await node.Http.GetAsync("/health/ready")).StatusCode); // the probe's connection is pooled too
            await server.StopServerAsync();
            await server.StartServerAsync(); // returns once the server accepts connections
            // The first probe says so (until the thirty-first session it met a pooled connection the restart had ended: a false 503).
            var probe = await node.Http.GetAsync("/health/ready");
            Assert.True(probe.StatusCode == HttpStatusCode.OK, $"{(int)probe.StatusCode} {await probe.Content.ReadAsStringAsync()}");

            var created = await dispatcher.PostAsJsonAsync("/api/v1/incidents", HardeningTests.Incident("After the restart"));
            Assert.True(created.StatusCode == HttpStatusCode.Created, $"{(int)created.StatusCode} {await created.Content.ReadAsStringAsync()}");
            var reported = await radio.PostAsJsonAsync("/api/v1/teams/D02/position", Report(23.44));
            Assert.True(reported.StatusCode == HttpStatusCode.OK, $"{(int)reported.StatusCode} {await reported.Content.ReadAsStringAsync()}");
            Assert.Contains(await dispatcher.GetOk<List<IncidentSummary>>("/api/v1/incidents"), i => i.Title == "After the restart");
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    private static object Report(double lat) => new { lat, lon = 113.21, at = DateTimeOffset.UtcNow };
}
