using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HuaduDispatch.Contracts;
using HuaduDispatch.IntegrationTests.Infrastructure;

namespace HuaduDispatch.IntegrationTests;

/// <summary>
/// The hubs as a browser console and a team's web app use them: the published JavaScript client (<c>@microsoft/signalr</c>)
/// in headless Chromium, on a page served from its own origin (so negotiation goes through the node's CORS list), against a
/// real node on a real Kestrel port, with changes made over REST by a dispatcher.
/// </summary>
public sealed class BrowserConsoleTests : IAsyncLifetime
{
    private DispatchNode _node = null!;
    private BrowserConsole _browser = null!;
    private HttpClient _dispatcher = null!;

    public async Task InitializeAsync()
    {
        var pagePort = DispatchNode.FreePort();
        _node = await DispatchNode.StartAsync(connectionString: null, new Dictionary<string, string?>
        {
            ["Http:CorsOrigins:0"] = BrowserConsole.OriginFor(pagePort),
        });
        _dispatcher = _node.ClientAs(Roles.Dispatcher);
        _browser = await BrowserConsole.OpenAsync(pagePort);
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        await _node.DisposeAsync();
    }

    private Uri Hub(string path) => new(_node.BaseAddress, path);

    private async Task<Incident> CreateIncident(string title)
    {
        var response = await _dispatcher.PostAsJsonAsync("/api/v1/incidents", new
        {
            type = "Flood", title, location = new { lat = 23.43, lon = 113.40 }, occurredAt = DateTimeOffset.UtcNow.AddMinutes(-1), source = "console",
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<Incident>(DispatchJson.Options))!;
    }

    /// <summary>The deltas of one connection's <c>Delta</c> pushes seen so far, in arrival order (each push is an array).</summary>
    private List<JsonElement> Deltas(string connection) =>
        [.. _browser.Seen.Where(e => IsDelta(e, connection)).SelectMany(e => e.GetProperty("payload").EnumerateArray())];

    private static bool IsDelta(JsonElement e, string connection) =>
        e.GetProperty("event").GetString() == "Delta" && e.GetProperty("connection").GetString() == connection;

    /// <summary>Waits for a push to <paramref name="connection"/> that holds a delta matching <paramref name="match"/>.</summary>
    private async Task<JsonElement> WaitForDelta(string connection, Func<JsonElement, bool> match)
    {
        var push = await _browser.NextEvent(e => IsDelta(e, connection) && e.GetProperty("payload").EnumerateArray().Any(match));
        return push.GetProperty("payload").EnumerateArray().First(match);
    }

    private static void AssertConsecutive(IEnumerable<JsonElement> deltas, long after)
    {
        var seqs = deltas.Select(d => d.GetProperty("seq").GetInt64()).ToList();
        Assert.Equal(Enumerable.Range(1, seqs.Count).Select(i => after + i), seqs);
    }

    [Fact]
    public async Task A_browser_console_on_its_own_origin_subscribes_gets_each_change_as_state_in_order_and_resyncs_after_a_drop()
    {
        var connected = await _browser.Connect("c1", Hub("/hubs/dispatch"), DispatchNode.Token(Roles.Dispatcher));
        // WebSockets only (the connection fails rather than fall back), negotiated across origins.
        Assert.False(string.IsNullOrEmpty(connected.GetProperty("connectionId").GetString()));
        Assert.Equal(_browser.Origin, connected.GetProperty("origin").GetString());

        var snapshot = await _browser.Invoke("c1", "Subscribe", Scopes.District);
        Assert.Equal(Scopes.District, snapshot.GetProperty("scope").GetString());
        var entities = snapshot.GetProperty("entities").EnumerateArray().ToList();
        Assert.Equal(26, entities.Count(e => e.GetProperty("kind").GetString() == DeltaKinds.Team));
        Assert.Equal(17, entities.Count(e => e.GetProperty("kind").GetString() == DeltaKinds.Warehouse));
        var seq = snapshot.GetProperty("seq").GetInt64();

        // A change over REST reaches the page as the entity's state, camelCase, enums by name.
        var incident = await CreateIncident("browser console check");
        var created = await WaitForDelta("c1", d => d.GetProperty("kind").GetString() == DeltaKinds.Incident && d.GetProperty("id").GetString() == incident.Id);
        Assert.Equal(Scopes.District, created.GetProperty("scope").GetString());
        var data = created.GetProperty("data");
        Assert.Equal("browser console check", data.GetProperty("title").GetString());
        Assert.Equal("Flood", data.GetProperty("type").GetString());
        Assert.Equal("Reported", data.GetProperty("status").GetString());
        Assert.Equal(23.43, data.GetProperty("location").GetProperty("lat").GetDouble(), 6);

        var dispatched = await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/dispatches", new { teamIds = new[] { "T03" } });
        Assert.Equal(HttpStatusCode.OK, dispatched.StatusCode);
        var assigned = await WaitForDelta("c1", d => d.GetProperty("kind").GetString() == DeltaKinds.Team && d.GetProperty("id").GetString() == "T03"
            && d.GetProperty("data").GetProperty("status").GetString() == "Assigned");
        Assert.Equal(incident.Id, assigned.GetProperty("data").GetProperty("incidentId").GetString());
        // The sequence numbers (microsecond-based, beyond 2^32) survive JavaScript's numbers: +1 each from the snapshot's.
        // Deltas at or below the snapshot's number were already in it; a console skips them.
        AssertConsecutive(Deltas("c1").Where(d => d.GetProperty("seq").GetInt64() > seq), seq);
        var last = Deltas("c1").Max(d => d.GetProperty("seq").GetInt64());

        // The console drops; meanwhile the team goes en route and the incident is updated.
        await _browser.Stop("c1");
        await _browser.NextEvent(e => e.GetProperty("event").GetString() == "closed" && e.GetProperty("connection").GetString() == "c1");
        var enRoute = await _node.ClientAs(Roles.Team, teamId: "T03").PostAsJsonAsync("/api/v1/teams/T03/status", new { status = "EnRoute" });
        Assert.Equal(HttpStatusCode.OK, enRoute.StatusCode);

        // It reconnects and asks for what it missed after the last number it saw.
        await _browser.Connect("c2", Hub("/hubs/dispatch"), DispatchNode.Token(Roles.Dispatcher));
        // The team's delta is pushed after the answer (one-way, then a coalescing window): seconds on a busy machine, so the
        // resync is asked again until it has it, up to 15 s (not 50 times 20 ms apart).
        JsonElement missed = default;
        var until = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            missed = await _browser.Invoke("c2", "Resync", Scopes.District, last);
            if (missed.GetProperty("deltas").EnumerateArray().Any(d => d.GetProperty("kind").GetString() == DeltaKinds.Team
                && d.GetProperty("data").GetProperty("status").GetString() == "EnRoute") || DateTime.UtcNow > until) break;
            await Task.Delay(20);
        }
        Assert.False(missed.TryGetProperty("snapshot", out var snapshotAgain) && snapshotAgain.ValueKind != JsonValueKind.Null, "the missed deltas, not a snapshot");
        var deltas = missed.GetProperty("deltas").EnumerateArray().ToList();
        AssertConsecutive(deltas, last);
        var team = deltas.Last(d => d.GetProperty("kind").GetString() == DeltaKinds.Team && d.GetProperty("id").GetString() == "T03");
        Assert.Equal("EnRoute", team.GetProperty("data").GetProperty("status").GetString());

        // And goes on live from there.
        var resumed = deltas[^1].GetProperty("seq").GetInt64();
        await _node.ClientAs(Roles.Team, teamId: "T03").PostAsJsonAsync("/api/v1/teams/T03/status", new { status = "OnScene" });
        var onScene = await WaitForDelta("c2", d => d.GetProperty("kind").GetString() == DeltaKinds.Team && d.GetProperty("id").GetString() == "T03"
            && d.GetProperty("data").GetProperty("status").GetString() == "OnScene");
        Assert.True(onScene.GetProperty("seq").GetInt64() > resumed);
        AssertConsecutive(Deltas("c2").Where(d => d.GetProperty("seq").GetInt64() > resumed), resumed);
        await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/teams/T03/release", new { reason = "test over" });
    }

    [Fact]
    public async Task A_team_web_app_gets_its_task_on_the_field_hub_acknowledges_it_and_gets_the_rest_rules_errors()
    {
        await _browser.Connect("radio", Hub("/hubs/field"), DispatchNode.Token(Roles.Team, teamId: "T04"));
        var own = await _browser.Invoke("radio", "Subscribe");
        Assert.Contains(own.GetProperty("entities").EnumerateArray(), e => e.GetProperty("kind").GetString() == DeltaKinds.Team && e.GetProperty("id").GetString() == "T04");

        var incident = await CreateIncident("field app check");
        var dispatched = await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/dispatches", new { teamIds = new[] { "T04" } });
        Assert.Equal(HttpStatusCode.OK, dispatched.StatusCode);
        var task = await WaitForDelta("radio", d => d.GetProperty("kind").GetString() == DeltaKinds.Task);
        Assert.Equal("T04", task.GetProperty("data").GetProperty("teamId").GetString());
        Assert.Equal("Issued", task.GetProperty("data").GetProperty("status").GetString());

        var acked = await _browser.Invoke("radio", "AcknowledgeTask", incident.Id, task.GetProperty("id").GetString());
        Assert.Equal("Acknowledged", acked.GetProperty("status").GetString());
        var reported = await _browser.Invoke("radio", "ReportStatus", new { status = "EnRoute" });
        Assert.Equal("EnRoute", reported.GetProperty("status").GetString());
        // The REST rules: Available while assigned is a conflict, and the page's promise says so.
        var conflict = await Assert.ThrowsAsync<BrowserError>(() => _browser.Invoke("radio", "ReportStatus", new { status = "Available" }));
        Assert.Contains("409", conflict.Message);

        // Nor may it act for another team: T05's task on the same incident is not T04's to acknowledge.
        var other = await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/dispatches", new { teamIds = new[] { "T05" } });
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        var tasks = await _dispatcher.GetOk<List<DispatchTask>>($"/api/v1/incidents/{incident.Id}/tasks");
        var theirs = Assert.Single(tasks, t => t.TeamId == "T05");
        var forbidden = await Assert.ThrowsAsync<BrowserError>(() => _browser.Invoke("radio", "AcknowledgeTask", incident.Id, theirs.Id));
        Assert.Contains("403", forbidden.Message);
        Assert.Equal(DispatchTaskStatus.Issued, (await _dispatcher.GetOk<List<DispatchTask>>($"/api/v1/incidents/{incident.Id}/tasks")).Single(t => t.Id == theirs.Id).Status);
        await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/teams/T05/release", new { reason = "test over" });
        await _dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/teams/T04/release", new { reason = "test over" });
    }

    [Fact]
    public async Task A_console_whose_token_expires_is_closed_and_its_client_reconnects_by_itself_with_the_renewed_token()
    {
        var expiring = DispatchNode.Token(Roles.Dispatcher, lifetime: TimeSpan.FromSeconds(8)); // time to connect, subscribe and renew on a slow host
        await _browser.Connect("shift", Hub("/hubs/dispatch"), expiring, reconnect: true);
        var snapshot = await _browser.Invoke("shift", "Subscribe", Scopes.District);
        // The identity provider renews the token; the open connection goes on with the old one until it expires.
        await _browser.SetToken("shift", DispatchNode.Token(Roles.Dispatcher));

        await _browser.NextEvent(e => e.GetProperty("event").GetString() == "reconnecting" && e.GetProperty("connection").GetString() == "shift");
        await _browser.NextEvent(e => e.GetProperty("event").GetString() == "reconnected" && e.GetProperty("connection").GetString() == "shift");
        Assert.DoesNotContain(_browser.Seen, e => e.GetProperty("event").GetString() == "closed" && e.GetProperty("connection").GetString() == "shift");

        // On the new connection the console resyncs from the last number it had, and gets the changes made meanwhile.
        var incident = await CreateIncident("after the token renewal");
        // The incident's delta is pushed after the answer: asked again until it is there, up to 15 s (as above).
        JsonElement missed = default;
        var until = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            missed = await _browser.Invoke("shift", "Resync", Scopes.District, snapshot.GetProperty("seq").GetInt64());
            if (missed.GetProperty("deltas").EnumerateArray().Any(d => d.GetProperty("id").GetString() == incident.Id) || DateTime.UtcNow > until) break;
            await Task.Delay(20);
        }
        AssertConsecutive(missed.GetProperty("deltas").EnumerateArray(), snapshot.GetProperty("seq").GetInt64());
        Assert.Contains(missed.GetProperty("deltas").EnumerateArray(), d => d.GetProperty("id").GetString() == incident.Id);
        // And changes after that arrive live.
        var next = await CreateIncident("live again");
        await WaitForDelta("shift", d => d.GetProperty("kind").GetString() == DeltaKinds.Incident && d.GetProperty("id").GetString() == next.Id);
    }

    [Fact]
    public async Task The_browser_client_is_refused_without_a_token_and_with_a_token_of_the_wrong_kind()
    {
        var none = await Assert.ThrowsAsync<BrowserError>(() => _browser.Connect("anonymous", Hub("/hubs/dispatch"), token: null));
        Assert.Contains("401", none.Message);
        Assert.Contains("access_token", none.Message); // the problem's detail tells a browser where the token goes
        var team = await Assert.ThrowsAsync<BrowserError>(() => _browser.Connect("team-on-console", Hub("/hubs/dispatch"), DispatchNode.Token(Roles.Team, teamId: "T05")));
        Assert.Contains("403", team.Message);
        var console = await Assert.ThrowsAsync<BrowserError>(() => _browser.Connect("console-on-field", Hub("/hubs/field"), DispatchNode.Token(Roles.Viewer)));
        Assert.Contains("403", console.Message);
    }
}
