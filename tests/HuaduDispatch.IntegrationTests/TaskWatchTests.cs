using System.Net.Http.Json;
using HuaduDispatch.Contracts;
using HuaduDispatch.IntegrationTests.Infrastructure;

namespace HuaduDispatch.IntegrationTests;

/// <summary>The task watch's alerts as the commander's list shows them.</summary>
public sealed class TaskWatchTests
{
    /// <summary>
    /// A crew that reported EnRoute and OnScene after its task was issued answered it: its task gets no Unacknowledged alert,
    /// while a crew that never answered gets one (the typhoon-night tester's F8: 3 of 15 flagged tasks were crews on scene).
    /// The task itself stays Issued until the crew moves it.
    /// </summary>
    [Fact]
    public async Task A_crew_that_reported_working_after_its_task_was_issued_gets_no_unacknowledged_alert()
    {
        await using var node = await DispatchNode.StartAsync(connectionString: null, new Dictionary<string, string?>
        {
            ["Dispatch:TaskWatchPeriod"] = "00:00:02",
            ["Dispatch:TaskAckTimeout"] = "00:00:01",
        });
        var dispatcher = node.ClientAs(Roles.Dispatcher);
        var incident = (await (await dispatcher.PostAsJsonAsync("/api/v1/incidents", new
        {
            type = "Flood", title = "Village flooded, people missing", location = new { lat = 23.452, lon = 113.305 },
            occurredAt = DateTimeOffset.UtcNow.AddMinutes(-5), source = "hotline",
        })).Content.ReadFromJsonAsync<Incident>(DispatchJson.Options))!;
        var dispatched = await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/dispatches", new { teamIds = new[] { "T05", "D01" } });
        Assert.True(dispatched.IsSuccessStatusCode, $"{(int)dispatched.StatusCode} {await dispatched.Content.ReadAsStringAsync()}");
        var crew = node.ClientAs(Roles.Team, teamId: "D01");
        foreach (var status in new[] { "EnRoute", "OnScene" })
        {
            var reported = await crew.PostAsJsonAsync("/api/v1/teams/D01/status", new { status, note = "searching for missing" });
            Assert.True(reported.IsSuccessStatusCode, $"{(int)reported.StatusCode} {await reported.Content.ReadAsStringAsync()}");
        }

        var deadline = DateTime.UtcNow.AddSeconds(20);
        List<DispatchTask> tasks;
        while (!(tasks = await dispatcher.GetOk<List<DispatchTask>>($"/api/v1/incidents/{incident.Id}/tasks")).Any(t => t.TeamId == "T05" && t.Alerts.Contains("Unacknowledged")))
        {
            Assert.True(DateTime.UtcNow < deadline, "no Unacknowledged alert for T05 (silent) within 20 s with a 2 s watch and a 1 s acknowledgement timeout");
            await Task.Delay(250);
        }
        await Task.Delay(TimeSpan.FromSeconds(3)); // another tick of the watch
        var working = Assert.Single(await dispatcher.GetOk<List<DispatchTask>>($"/api/v1/incidents/{incident.Id}/tasks"), t => t.TeamId == "D01");
        Assert.Empty(working.Alerts);
        Assert.Equal(DispatchTaskStatus.Issued, working.Status);
        var timeline = await dispatcher.GetOk<List<TimelineEntry>>($"/api/v1/incidents/{incident.Id}/timeline");
        Assert.DoesNotContain(timeline, e => e.Kind == "TaskAlert" && e.TeamId == "D01");
    }

    /// <summary>
    /// The crew's status counts by the time its report gave: a status dated before a task was issued did not answer it, even
    /// when the report reached the node after the task went out (a late radio report; a verifier's L2, thirty-second session).
    /// </summary>
    [Fact]
    public async Task A_status_dated_before_a_task_was_issued_does_not_answer_it_even_when_it_arrives_after()
    {
        await using var node = await DispatchNode.StartAsync(connectionString: null, new Dictionary<string, string?>
        {
            ["Dispatch:TaskWatchPeriod"] = "00:00:02",
            ["Dispatch:TaskAckTimeout"] = "00:00:01",
        });
        var dispatcher = node.ClientAs(Roles.Dispatcher);
        var incident = (await (await dispatcher.PostAsJsonAsync("/api/v1/incidents", new
        {
            type = "Flood", title = "Village flooded, people missing", location = new { lat = 23.452, lon = 113.305 },
            occurredAt = DateTimeOffset.UtcNow.AddMinutes(-5), source = "hotline",
        })).Content.ReadFromJsonAsync<Incident>(DispatchJson.Options))!;
        Assert.True((await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/dispatches", new { teamIds = new[] { "F01" } })).IsSuccessStatusCode);
        var crew = node.ClientAs(Roles.Team, teamId: "F01");
        Assert.True((await crew.PostAsJsonAsync("/api/v1/teams/F01/status", new { status = "EnRoute" })).IsSuccessStatusCode);
        var onSceneAt = DateTimeOffset.UtcNow;
        await Task.Delay(200);
        var second = await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/tasks", new { teamId = "F01", title = "Search the school's ground floor" });
        Assert.True(second.IsSuccessStatusCode, $"{(int)second.StatusCode} {await second.Content.ReadAsStringAsync()}");
        var secondTask = (await second.Content.ReadFromJsonAsync<DispatchTask>(DispatchJson.Options))!;
        // The radio's OnScene, given before the second task went out, arrives after it.
        var late = await crew.PostAsJsonAsync("/api/v1/teams/F01/status", new { status = "OnScene", occurredAt = onSceneAt });
        Assert.True(late.IsSuccessStatusCode, $"{(int)late.StatusCode} {await late.Content.ReadAsStringAsync()}");

        var deadline = DateTime.UtcNow.AddSeconds(20);
        List<DispatchTask> tasks;
        while (!(tasks = await dispatcher.GetOk<List<DispatchTask>>($"/api/v1/incidents/{incident.Id}/tasks")).Any(t => t.Id == secondTask.Id && t.Alerts.Contains("Unacknowledged")))
        {
            Assert.True(DateTime.UtcNow < deadline, "no Unacknowledged alert for the task issued after the crew's last status within 20 s");
            await Task.Delay(250);
        }
        Assert.Empty(tasks.Single(t => t.TeamId == "F01" && t.Id != secondTask.Id).Alerts); // the first task was answered
    }
}
