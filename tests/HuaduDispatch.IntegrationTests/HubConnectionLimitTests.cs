using System.Net;
using HuaduDispatch.Contracts;
using HuaduDispatch.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace HuaduDispatch.IntegrationTests;

/// <summary>
/// A client may hold at most Http:MaxHubConnectionsPerClient hub connections on a node (here 2): the next is a 429 with problem
/// details; other clients are not affected, and a closed connection frees its place. Until the thirty-third session a client
/// (a partner's reconnect loop, a leaked token) could open connections without end.
/// </summary>
public sealed class HubConnectionLimitTests : IAsyncLifetime
{
    private DispatchNode _node = null!;

    public async Task InitializeAsync() => _node = await DispatchNode.StartAsync(connectionString: null, new Dictionary<string, string?>
    {
        ["Http:MaxHubConnectionsPerClient"] = "2",
    });

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task A_client_past_its_hub_connections_gets_429_others_are_unaffected_and_a_closed_one_frees_its_place()
    {
        var viewer = DispatchNode.Token(Roles.Viewer, subject: "wall-display");
        await using var first = await HubClient.ConnectAsync(_node, "/hubs/dispatch", viewer);
        var second = await HubClient.ConnectAsync(_node, "/hubs/dispatch", viewer);
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => HubClient.ConnectAsync(_node, "/hubs/dispatch", viewer));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);

        // The answer a client that reads it gets: problem details naming the setting, with Retry-After.
        using var http = new HttpClient { BaseAddress = _node.BaseAddress };
        var negotiate = new HttpRequestMessage(HttpMethod.Post, "/hubs/dispatch/negotiate?negotiateVersion=1");
        negotiate.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", viewer);
        var answer = await http.SendAsync(negotiate);
        Assert.Equal(HttpStatusCode.TooManyRequests, answer.StatusCode);
        Assert.NotNull(answer.Headers.RetryAfter);
        Assert.Contains("Http:MaxHubConnectionsPerClient", (await answer.ReadProblem()).GetProperty("detail").GetString());
        // A WebSocket that skips negotiation is refused the same way.
        var direct = new HubConnectionBuilder()
            .WithUrl(new Uri(_node.BaseAddress, "/hubs/dispatch"), o =>
            {
                o.SkipNegotiation = true;
                o.Transports = Microsoft.AspNetCore.Http.Connections.HttpTransportType.WebSockets;
                o.AccessTokenProvider = () => Task.FromResult<string?>(viewer);
            }).Build();
        await Assert.ThrowsAnyAsync<Exception>(() => direct.StartAsync());
        await direct.DisposeAsync();

        // The connections open work; another client (another subject, a radio) is not affected.
        Assert.NotEmpty((await first.Connection.InvokeAsync<ScopeSnapshot>("Subscribe", Scopes.District)).Entities);
        await using var other = await HubClient.ConnectAsync(_node, "/hubs/dispatch", DispatchNode.Token(Roles.Viewer, subject: "duty-desk"));
        await using var radio = await HubClient.ConnectAsync(_node, "/hubs/field", DispatchNode.Token(Roles.Team, teamId: "T11"));
        Assert.Equal("T11", (await radio.Connection.InvokeAsync<RescueTeam>("ReportPosition", new TeamPositionReport { Lat = 23.40, Lon = 113.22 })).Id);

        // A closed connection frees its place (the server counts it closed as it goes).
        await second.DisposeAsync();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        HubClient? again = null;
        while (again is null)
        {
            try
            {
                again = await HubClient.ConnectAsync(_node, "/hubs/dispatch", viewer);
            }
            catch (HttpRequestException e) when (e.StatusCode == HttpStatusCode.TooManyRequests && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
        await using (again)
            Assert.NotEmpty((await again.Connection.InvokeAsync<ScopeSnapshot>("Subscribe", Scopes.District)).Entities);
    }
}
