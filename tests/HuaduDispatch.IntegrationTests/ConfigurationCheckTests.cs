using System.Net.Http.Json;
using HuaduDispatch.Contracts;
using HuaduDispatch.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace HuaduDispatch.IntegrationTests;

/// <summary>
/// Settings are checked when a node starts: one it would fail on later stops the start with its key named, and the short
/// periods the checks allow do work.
/// </summary>
public sealed class ConfigurationCheckTests
{
    [Theory]
    [InlineData("Dispatch:ReliefResend", "-00:01:00")]
    [InlineData("Dispatch:TaskWatchPeriod", "00:00:00")]
    [InlineData("Realtime:ResyncBufferSize", "0")]
    [InlineData("Realtime:CoalesceWindow", "-00:00:00.001")]
    [InlineData("Realtime:RelayRegistrationPeriod", "00:02:00")]
    [InlineData("Relief:AtRiskBefore", "04:00:00")]
    [InlineData("Relief:ReplanBackstop", "00:00:00")]
    [InlineData("Relief:Planner:TimeLimit", "00:00:00")]
    [InlineData("Http:RateLimit:PermitsPerSecond", "0")]
    [InlineData("Http:RateLimit:Burst", "0")]
    [InlineData("Http:MaxJsonDepth", "0")]
    [InlineData("Http:MaxStringLength", "0")]
    [InlineData("Http:MaxHubConnectionsPerClient", "0")]
    [InlineData("Http:MaxRequestBodyBytes", "-5")]
    [InlineData("Idempotency:Retention", "-00:01:00")]
    [InlineData("Idempotency:Lease", "00:00:00")]
    [InlineData("Dispatch:TravelTime:SpeedKmh", "0")]
    [InlineData("Dispatch:Recommender:MaxEta", "-00:10:00")]
    public async Task A_node_with_a_setting_it_cannot_use_does_not_start_and_names_the_setting(string key, string value)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var node = await DispatchNode.StartAsync(connectionString: null, new Dictionary<string, string?> { [key] = value });
        });
        Assert.Contains(key + " must", error.Message);
    }

    [Fact]
    public async Task Orleans_membership_settings_are_read_from_the_Orleans_Membership_section()
    {
        await using var node = await DispatchNode.StartAsync(connectionString: null, new Dictionary<string, string?>
        {
            ["Orleans:Membership:ProbeTimeout"] = "00:00:02",
            ["Orleans:Membership:NumMissedProbesLimit"] = "2",
        });
        var membership = node.Services.GetRequiredService<IOptions<ClusterMembershipOptions>>().Value;
        Assert.Equal((TimeSpan.FromSeconds(2), 2), (membership.ProbeTimeout, membership.NumMissedProbesLimit));
    }

    [Fact]
    public async Task A_task_watch_period_under_a_minute_is_allowed_and_raises_the_unacknowledged_alert()
    {
        // Orleans refuses reminder periods under its minimum (1 min by default); the node lowers that minimum to the setting.
        await using var node = await DispatchNode.StartAsync(connectionString: null, new Dictionary<string, string?>
        {
            ["Dispatch:TaskWatchPeriod"] = "00:00:02",
            ["Dispatch:TaskAckTimeout"] = "00:00:01",
        });
        var dispatcher = node.ClientAs(Roles.Dispatcher);
        var created = await dispatcher.PostAsJsonAsync("/api/v1/incidents", new
        {
            type = "Landslide", title = "Slope failure", location = new { lat = 23.452, lon = 113.305 },
            occurredAt = DateTimeOffset.UtcNow.AddMinutes(-5), source = "hotline",
        });
        var incident = (await created.Content.ReadFromJsonAsync<Incident>(DispatchJson.Options))!;
        var dispatched = await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/dispatches", new { teamIds = new[] { "T05" } });
        Assert.True(dispatched.IsSuccessStatusCode, $"{(int)dispatched.StatusCode} {await dispatched.Content.ReadAsStringAsync()}");

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var tasks = await dispatcher.GetOk<List<DispatchTask>>($"/api/v1/incidents/{incident.Id}/tasks");
            if (tasks.Any(t => t.Alerts.Any(a => a.Contains("Unacknowledged", StringComparison.Ordinal)))) break;
            Assert.True(DateTime.UtcNow < deadline, "no Unacknowledged alert within 20 s with a 2 s watch period and a 1 s acknowledgement timeout");
            await Task.Delay(250);
        }
    }

    [Fact]
    public async Task The_task_watch_ticks_while_new_tasks_keep_coming()
    {
        // Each dispatch and task registered the watch again, which moved its next tick a period later: on an incident with a
        // task every 40 s an unacknowledged task went unflagged for 7 min 41 s (an exploratory test). Here a task every
        // second against a 2 s watch: the first task's alert must come while they keep coming.
        await using var node = await DispatchNode.StartAsync(connectionString: null, new Dictionary<string, string?>
        {
            ["Dispatch:TaskWatchPeriod"] = "00:00:02",
            ["Dispatch:TaskAckTimeout"] = "00:00:01",
        });
        var dispatcher = node.ClientAs(Roles.Dispatcher);
        var incident = (await (await dispatcher.PostAsJsonAsync("/api/v1/incidents", new
        {
            type = "Landslide", title = "Slope failure, busy", location = new { lat = 23.452, lon = 113.305 },
            occurredAt = DateTimeOffset.UtcNow.AddMinutes(-5), source = "hotline",
        })).Content.ReadFromJsonAsync<Incident>(DispatchJson.Options))!;
        Assert.True((await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/dispatches", new { teamIds = new[] { "T05", "T06" } })).IsSuccessStatusCode);

        var alerted = false;
        for (var i = 0; i < 20 && !alerted; i++)
        {
            var issued = await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/tasks", new { teamId = "T06", title = $"sector check {i}" });
            Assert.True(issued.IsSuccessStatusCode, $"{(int)issued.StatusCode} {await issued.Content.ReadAsStringAsync()}");
            await Task.Delay(1000);
            var tasks = await dispatcher.GetOk<List<DispatchTask>>($"/api/v1/incidents/{incident.Id}/tasks");
            alerted = tasks.Any(t => t.TeamId == "T05" && t.Alerts.Any(a => a.Contains("Unacknowledged", StringComparison.Ordinal)));
        }
        Assert.True(alerted, "no Unacknowledged alert for T05's task while a task came every second for 20 s against a 2 s watch");
    }
}
