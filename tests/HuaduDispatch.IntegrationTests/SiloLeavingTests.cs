using System.Net;
using System.Net.Http.Json;
using HuaduDispatch.Contracts;
using HuaduDispatch.IntegrationTests.Infrastructure;
using HuaduDispatch.Silo.Schema;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Xunit.Abstractions;

namespace HuaduDispatch.IntegrationTests;

/// <summary>
/// A node leaves a two-node cluster (a rolling deploy), or dies without leaving (a crash, a power cut), while consoles on the
/// other node watch the district. The grains that lived on the node gone (the district's sequencer, the relay registry, a team)
/// start again on the one left, and its consoles, following the resync rule, end at the latest state with nothing missed,
/// whether or not another change follows.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SiloLeavingTests(PostgresServer postgres, ITestOutputHelper output)
{
    [Fact]
    public async Task When_the_node_holding_the_district_sequencer_leaves_a_console_on_the_other_node_gets_the_next_change_without_another_following()
    {
        var cs = await postgres.CreateDatabaseAsync();
        await new SchemaMigrator(cs).MigrateAsync();

        // The periodic registration is put out of reach of this test, so the registry can only fill again because the nodes
        // register at once when membership changes.
        var settings = new Dictionary<string, string?> { ["Realtime:RelayRegistrationPeriod"] = "00:01:00" };
        var (a, b) = await TwoNodesWithTheGrainsOnB(cs, settings);
        var bGone = false;
        try
        {
            await using var hub = await HubClient.ConnectAsync(a, "/hubs/dispatch", DispatchNode.Token(Roles.Dispatcher));
            var console = new ConsoleView(hub, await hub.Connection.InvokeAsync<ScopeSnapshot>("Subscribe", Scopes.District));
            var radio = a.ClientAs(Roles.Team, teamId: "T09");
            Assert.Equal(HttpStatusCode.OK, (await radio.PostAsJsonAsync("/api/v1/teams/T09/position", Report(23.45))).StatusCode);
            await console.Until(v => v.Team("T09")?.Position.Lat == 23.45, "T09 at 23.45 before B leaves");

            await b.DisposeAsync(); // a graceful leave, as in a rolling deploy
            bGone = true;
            output.WriteLine("B left");

            // One report through A, and no other change after it. Answers meanwhile may be 503 while the cluster settles.
            await ReportUntilStored(radio, 23.46, TimeSpan.FromSeconds(30));
            var stored = System.Diagnostics.Stopwatch.StartNew();
            await console.Until(v => v.Team("T09")?.Position.Lat == 23.46, "T09 at 23.46 after B left, with no change after it", TimeSpan.FromSeconds(20));
            output.WriteLine($"shown {stored.ElapsedMilliseconds} ms after the 200; resyncs {console.Resyncs}, snapshots {console.Snapshots}");
        }
        finally
        {
            await a.DisposeAsync();
            if (!bGone) await b.DisposeAsync();
        }
    }

    [Fact]
    public async Task When_the_node_holding_the_district_sequencer_dies_a_console_on_the_other_node_gets_the_next_change_once_the_cluster_declares_it_dead()
    {
        var cs = await postgres.CreateDatabaseAsync();
        await new SchemaMigrator(cs).MigrateAsync();
        // B runs in a process of its own, so that it can be killed. It starts alone, so the relay registry, the district's
        // scope grain and team T09 activate there.
        var b = await DispatchProcess.StartAsync(cs);
        DispatchNode? a = null;
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                await using (var early = await HubClient.ConnectAsync(b.BaseAddress, "/hubs/dispatch", DispatchNode.Token(Roles.Viewer)))
                    await early.Connection.InvokeAsync<ScopeSnapshot>("Subscribe", Scopes.District);
                Assert.Equal(HttpStatusCode.OK, (await b.ClientAs(Roles.Team, teamId: "T09").PostAsJsonAsync("/api/v1/teams/T09/position", Report(23.44))).StatusCode);
                a = await DispatchNode.StartAsync(cs);
                var management = a.Grains.GetGrain<IManagementGrain>(0);
                var placed = new[]
                {
                    await management.GetActivationAddress(a.Grains.GetGrain<IRelayRegistryGrain>(0)),
                    await management.GetActivationAddress(a.Grains.GetGrain<IScopeGrain>(Scopes.District)),
                    await management.GetActivationAddress(a.Grains.GetGrain<IRescueTeamGrain>("T09")),
                };
                if (placed.All(p => p?.Endpoint.Port == b.SiloPort)) break;
                output.WriteLine($"attempt {attempt}: registry, district scope and T09 on {string.Join(", ", placed.Select(p => p?.Endpoint.Port == b.SiloPort ? "B" : "A"))}");
                await a.DisposeAsync();
                a = null;
                Assert.True(attempt < 5, "five joins in a row moved a grain from B to A");
            }

            await using var hub = await HubClient.ConnectAsync(a, "/hubs/dispatch", DispatchNode.Token(Roles.Dispatcher));
            var console = new ConsoleView(hub, await hub.Connection.InvokeAsync<ScopeSnapshot>("Subscribe", Scopes.District));
            var radio = a.ClientAs(Roles.Team, teamId: "T09");
            Assert.Equal(HttpStatusCode.OK, (await radio.PostAsJsonAsync("/api/v1/teams/T09/position", Report(23.45))).StatusCode);
            await console.Until(v => v.Team("T09")?.Position.Lat == 23.45, "T09 at 23.45 before B dies");

            await b.KillAsync(); // SIGKILL: A learns of it only when its probes declare B dead
            var died = System.Diagnostics.Stopwatch.StartNew();
            output.WriteLine("B killed");

            // Until the cluster declares B dead, the grains it held cannot be reached: reports are refused with a 503 (never a
            // 500), each answered well within the client's timeout; once one is acknowledged it is stored and shown.
            var (refused, slowest) = await ReportUntilStored(radio, 23.46, TimeSpan.FromSeconds(90));
            output.WriteLine($"stored {died.ElapsedMilliseconds} ms after B died, after {refused} refusal(s), the slowest in {slowest.TotalMilliseconds:0} ms");
            var stored = System.Diagnostics.Stopwatch.StartNew();
            await console.Until(v => v.Team("T09")?.Position.Lat == 23.46, "T09 at 23.46 after B died, with no change after it", TimeSpan.FromSeconds(20));
            output.WriteLine($"shown {stored.ElapsedMilliseconds} ms after the 200; resyncs {console.Resyncs}, snapshots {console.Snapshots}");
            Assert.Equal(23.46, (await a.ClientAs(Roles.Dispatcher).GetOk<RescueTeam>("/api/v1/teams/T09")).Position.Lat);

            // B's relay is not sent to any more: the registry (started again on A) lists A's alone once A has registered again,
            // which it does on the membership change, and knows that list to be complete.
            var listed = System.Diagnostics.Stopwatch.StartNew();
            await UntilRelays(a.Grains.GetGrain<IRelayRegistryGrain>(0), 1, TimeSpan.FromSeconds(10), "A's alone, within 10 s of the report being shown");
            output.WriteLine($"registry complete with A's relay alone {listed.ElapsedMilliseconds} ms after that");
        }
        catch (Exception e)
        {
            throw WithOutput(b, e);
        }
        finally
        {
            if (a is not null) await a.DisposeAsync();
            await b.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_change_sent_to_a_scope_whose_node_then_dies_reaches_the_consoles_on_the_other_node_with_no_other_change_following()
    {
        var cs = await postgres.CreateDatabaseAsync();
        await new SchemaMigrator(cs).MigrateAsync();
        // A starts alone, so the relay registry and the teams activate there; B joins in a process of its own. Both place new
        // grains where the call that activates them is made (Orleans:DefaultPlacement PreferLocal), so that the setup below does
        // not hang on the load-based default: it found no pair in twelve rounds on a busy host (twenty-second session).
        var local = new Dictionary<string, string?> { ["Orleans:DefaultPlacement"] = "PreferLocal" };
        await using var a = await DispatchNode.StartAsync(cs, local);
        Assert.IsType<PreferLocalPlacement>(a.Services.GetRequiredService<PlacementStrategy>()); // the setting is what Orleans uses
        var b = await DispatchProcess.StartAsync(cs, local);
        try
        {
            var registry = a.Grains.GetGrain<IRelayRegistryGrain>(0);
            var management = a.Grains.GetGrain<IManagementGrain>(0);
            await UntilRelays(registry, 2, TimeSpan.FromSeconds(30), "A's and B's, within 30 s of B's start");

            // An area scope whose grain is on B, and a team of that area whose grain is on A: its reports are stored on A and sent
            // one-way to the scope on B. A console on B subscribing activates the area scopes; the placement policy decides where
            // (it weighs the nodes' load, and chose A for all twelve in one run). When no pair is found, the idle grains on A are
            // deactivated, so that the next subscriptions and reads place them afresh.
            var teams = await a.ClientAs(Roles.Dispatcher).GetOk<List<RescueTeam>>("/api/v1/teams");
            // Every team grain is activated from A first (on A), before a subscription on B reads them for its snapshot.
            foreach (var t in teams) await a.Grains.GetGrain<IRescueTeamGrain>(t.Id).Get();
            await using var early = await HubClient.ConnectAsync(b.BaseAddress, "/hubs/dispatch", DispatchNode.Token(Roles.Viewer));
            var aSilo = a.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
            string? scope = null;
            RescueTeam? team = null;
            for (var round = 1; team is null; round++)
            {
                foreach (var area in teams.Select(t => t.AreaId).Distinct())
                {
                    await early.Connection.InvokeAsync<ScopeSnapshot>("Subscribe", Scopes.Area(area));
                    if ((await management.GetActivationAddress(a.Grains.GetGrain<IScopeGrain>(Scopes.Area(area))))?.Endpoint.Port != b.SiloPort) continue;
                    foreach (var candidate in teams.Where(t => t.AreaId == area))
                    {
                        await a.Grains.GetGrain<IRescueTeamGrain>(candidate.Id).Get();
                        if ((await management.GetActivationAddress(a.Grains.GetGrain<IRescueTeamGrain>(candidate.Id)))?.Endpoint.Port == aSilo.Endpoint.Port)
                        {
                            (scope, team) = (Scopes.Area(area), candidate);
                            break;
                        }
                    }
                    if (team is not null) break;
                }
                if (team is not null) break;
                output.WriteLine($"round {round}: no area scope on B with a team of its area on A");
                // A search for the setup, not the behaviour under test: placement is load-based, and in about one run in six
                // (twenty-first session, on a busy host) six rounds were not enough.
                Assert.True(round < 12, "twelve rounds found no area scope on B with a team of its area on A");
                await management.ForceActivationCollection([aSilo], TimeSpan.Zero);
                await Task.Delay(2000);
            }
            output.WriteLine($"{scope} on B, {team!.Id} on A");
            await UntilRelays(registry, 2, TimeSpan.FromSeconds(30), "A's and B's again, after the grains were placed");

            await using var hub = await HubClient.ConnectAsync(a, "/hubs/dispatch", DispatchNode.Token(Roles.Dispatcher));
            var console = new ConsoleView(hub, await hub.Connection.InvokeAsync<ScopeSnapshot>("Subscribe", scope));
            var radio = a.ClientAs(Roles.Team, teamId: team.Id);
            Assert.Equal(HttpStatusCode.OK, (await radio.PostAsJsonAsync($"/api/v1/teams/{team.Id}/position", Report(23.45))).StatusCode);
            await console.Until(v => v.Team(team.Id)?.Position.Lat == 23.45, $"{team.Id} at 23.45 before B dies");

            await b.KillAsync();
            var died = System.Diagnostics.Stopwatch.StartNew();
            output.WriteLine("B killed");

            // The team is on A, so the report is stored and acknowledged; its delta goes to the scope's grain on B, which is dead.
            // No other change follows. Once the cluster declares B dead, A's relay asks the scope what its consoles missed: the
            // scope starts again on A, sends a "scope" delta, and the console resyncs to a snapshot holding the report.
            Assert.Equal(HttpStatusCode.OK, (await radio.PostAsJsonAsync($"/api/v1/teams/{team.Id}/position", Report(23.47))).StatusCode);
            await console.Until(v => v.Team(team.Id)?.Position.Lat == 23.47, $"{team.Id} at 23.47, sent while B was dead, with no change after it",
                TimeSpan.FromSeconds(60));
            output.WriteLine($"shown {died.ElapsedMilliseconds} ms after the kill; resyncs {console.Resyncs}, snapshots {console.Snapshots}");
            Assert.Contains(hub.For(scope!), d => d.Kind == DeltaKinds.Scope && d.Id == scope);

            // B's relay is dropped once membership declares B dead, well before the 90 s expiry of a relay not registered again.
            await UntilRelays(registry, 1, TimeSpan.FromSeconds(60) - died.Elapsed, "A's alone, within 60 s of B's death");
            output.WriteLine($"B's relay dropped by {died.ElapsedMilliseconds} ms after the kill");
        }
        catch (Exception e)
        {
            throw WithOutput(b, e);
        }
        finally
        {
            await b.DisposeAsync();
        }
    }

    /// <summary>Polls the registry until it lists <paramref name="count"/> relays and says the list is complete.</summary>
    private static async Task UntilRelays(IRelayRegistryGrain registry, int count, TimeSpan within, string which)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while ((await registry.GetRelayList()) is not { Complete: true } list || list.Relays.Count != count)
        {
            Assert.True(waited.Elapsed < within, $"the registry did not list {count} relay(s), complete: {which}");
            await Task.Delay(100);
        }
    }

    /// <summary>A failure of a test with a node in a process of its own, with that node's output in the test's output.</summary>
    private Xunit.Sdk.XunitException WithOutput(DispatchProcess b, Exception e)
    {
        output.WriteLine("B's output:\n" + b.Output);
        return new Xunit.Sdk.XunitException($"{e.Message} (B's output is in the test's output)", e);
    }

    /// <summary>
    /// B, then A, joined in one cluster, with the relay registry, the district's scope grain and team T09 active on B: B starts
    /// alone, so they activate there.
    /// </summary>
    private async Task<(DispatchNode A, DispatchNode B)> TwoNodesWithTheGrainsOnB(string cs, IDictionary<string, string?>? settings)
    {
        var b = await DispatchNode.StartAsync(cs, settings);
        try
        {
            var bSilo = b.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
            var management = b.Grains.GetGrain<IManagementGrain>(0);
            Task<SiloAddress?> Where(IAddressable grain) => management.GetActivationAddress(grain).AsTask();
            for (var attempt = 1; ; attempt++)
            {
                await using (var early = await HubClient.ConnectAsync(b, "/hubs/dispatch", DispatchNode.Token(Roles.Viewer)))
                    await early.Connection.InvokeAsync<ScopeSnapshot>("Subscribe", Scopes.District);
                Assert.Equal(HttpStatusCode.OK, (await b.ClientAs(Roles.Team, teamId: "T09").PostAsJsonAsync("/api/v1/teams/T09/position", Report(23.44))).StatusCode);

                var a = await DispatchNode.StartAsync(cs, settings);
                var placed = new[]
                {
                    await Where(b.Grains.GetGrain<IRelayRegistryGrain>(0)), await Where(b.Grains.GetGrain<IScopeGrain>(Scopes.District)),
                    await Where(b.Grains.GetGrain<IRescueTeamGrain>("T09")),
                };
                if (placed.All(bSilo.Equals)) return (a, b);
                // A joining can hand a grain's directory entry to A, and the next call then activates it there (it happened to
                // the registry in about one run in five). Let A leave, so everything is on B again, and let it join once more.
                output.WriteLine($"attempt {attempt}: registry, district scope and T09 on {string.Join(", ", placed.Select(p => bSilo.Equals(p) ? "B" : "A"))}");
                await a.DisposeAsync();
                Assert.True(attempt < 5, "five joins in a row moved a grain from B to A");
            }
        }
        catch
        {
            await b.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Sends one position report until it is acknowledged (200); meanwhile every answer must be a 503 with Retry-After, within
    /// 35 s. Returns how many were refused, and the longest a refusal took.
    /// </summary>
    private static async Task<(int Refused, TimeSpan Slowest)> ReportUntilStored(HttpClient radio, double lat, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        var slowest = TimeSpan.Zero;
        for (var refused = 0; ; refused++)
        {
            var asked = System.Diagnostics.Stopwatch.StartNew();
            var answer = await radio.PostAsJsonAsync("/api/v1/teams/T09/position", Report(lat));
            if (answer.StatusCode == HttpStatusCode.OK) return (refused, slowest);
            if (asked.Elapsed > slowest) slowest = asked.Elapsed;
            var text = await answer.Content.ReadAsStringAsync();
            Assert.True(answer.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)answer.StatusCode} {text}");
            Assert.NotNull(answer.Headers.RetryAfter);
            Assert.True(asked.Elapsed < TimeSpan.FromSeconds(35), $"a refusal took {asked.Elapsed}");
            Assert.True(DateTime.UtcNow < deadline, $"reports through A were still refused {within} after B went: " + text);
            await Task.Delay(250);
        }
    }

    private static object Report(double lat) => new { lat, lon = 113.21, at = DateTimeOffset.UtcNow };

    /// <summary>What a console shows of the district, kept by the resync rule: deltas in order, a gap answered by Resync.</summary>
    private sealed class ConsoleView(HubClient hub, ScopeSnapshot snapshot)
    {
        private readonly string _scope = snapshot.Scope;
        private readonly Dictionary<(string Kind, string Id), EntityChange> _entities = snapshot.Entities.ToDictionary(e => (e.Kind, e.Id));
        private long _seq = snapshot.Seq;
        private int _read;
        public int Resyncs { get; private set; }
        public int Snapshots { get; private set; }

        public RescueTeam? Team(string id) => _entities.TryGetValue((DeltaKinds.Team, id), out var e) ? HubClient.Data<RescueTeam>(e) : null;

        public async Task Until(Func<ConsoleView, bool> shows, string what, TimeSpan? timeout = null)
        {
            var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
            while (true)
            {
                await Apply();
                if (shows(this)) return;
                if (DateTime.UtcNow > deadline)
                    throw new TimeoutException($"the console does not show {what}: at seq {_seq}, {Resyncs} resyncs; received " +
                                               string.Join(", ", hub.For(_scope).Select(d => $"#{d.Seq} {d.Kind} {d.Id}")));
                await Task.Delay(100);
            }
        }

        private async Task Apply()
        {
            var received = hub.For(_scope);
            for (; _read < received.Count; _read++)
            {
                var d = received[_read];
                if (d.Seq <= _seq) continue; // already shown
                if (d.Seq > _seq + 1)
                {
                    Resyncs++;
                    var from = _seq;
                    var result = await hub.Connection.InvokeAsync<ResyncResult>("Resync", _scope, _seq);
                    if (result.Snapshot is { } fresh)
                    {
                        Snapshots++;
                        _entities.Clear();
                        foreach (var e in fresh.Entities) _entities[(e.Kind, e.Id)] = e;
                        _seq = fresh.Seq;
                    }
                    foreach (var missed in result.Deltas) Show(missed);
                    if (_seq == from) throw new InvalidOperationException($"a resync after #{from} did not move the console on (gap before #{d.Seq})");
                    _read--; // look at this delta again against the new position
                    continue;
                }
                Show(d);
            }
        }

        private void Show(Delta d)
        {
            if (d.Seq != _seq + 1) return;
            _entities[(d.Kind, d.Id)] = new EntityChange { Kind = d.Kind, Id = d.Id, Data = d.Data };
            _seq = d.Seq;
        }
    }
}
