using System.Net;
using System.Net.Http.Json;
using System.Text;
using HuaduDispatch.Contracts;
using HuaduDispatch.IntegrationTests.Infrastructure;

namespace HuaduDispatch.IntegrationTests;

/// <summary>
/// The report upward (向上级报告; the typhoon-night tester's F7): a level change never moves an owed report later, the report is
/// recorded as made by POST /upward-reports, and a report not recorded by its due time is flagged once (ReportOverdue).
/// </summary>
public sealed class ReportUpwardTests
{
    private static object Flood(string title, object? assessment = null) => new
    {
        type = "Flood", title, location = new { lat = 23.40, lon = 113.22 }, occurredAt = DateTimeOffset.UtcNow.AddMinutes(-10), source = "hotline", assessment,
    };

    private static async Task<T> Ok<T>(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {text}");
        return System.Text.Json.JsonSerializer.Deserialize<T>(text, DispatchJson.Options)!;
    }

    private static async Task<string> Expect(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return text;
    }

    [Fact]
    public async Task A_level_change_never_moves_an_owed_report_later_and_a_recorded_report_settles_it_until_an_escalation()
    {
        await using var node = await DispatchNode.StartAsync(connectionString: null);
        var dispatcher = node.ClientAs(Roles.Dispatcher);
        var commander = node.ClientAs(Roles.Commander);
        // II (11 missing): the city is owed a report within 30 min.
        var incident = await Ok<Incident>(await dispatcher.PostAsJsonAsync("/api/v1/incidents", Flood("River flood, 11 missing", new { missing = 11 })));
        Assert.Equal(ResponseLevel.II, incident.ResponseLevel);
        var owed = incident.ReportDeadline;
        Assert.Equal(new UpwardReportStatus { Owed = true, DueBy = owed, Tier = LeadingTier.City, Overdue = false }, incident.ReportUpward);
        var path = $"/api/v1/incidents/{incident.Id}";

        // Downgraded to III (1 h): still due when it was, to the city (it was moved to now + 1 h).
        var downgraded = await Ok<Incident>(await commander.PostAsJsonAsync($"{path}/response-level", new { level = "III", reason = "most found safe" }));
        Assert.Equal((ResponseLevel.III, owed, true, LeadingTier.City), (downgraded.ResponseLevel, downgraded.ReportDeadline, downgraded.ReportUpward!.Owed, downgraded.ReportUpward.Tier));
        // Escalated to I (31 missing, 30 min): the earlier due time stays; the province is now owed it.
        var escalated = await Ok<Incident>(await dispatcher.PostAsJsonAsync($"{path}/assessments", new { missing = 31 }));
        Assert.Equal((ResponseLevel.I, owed, true, LeadingTier.Province), (escalated.ResponseLevel, escalated.ReportDeadline, escalated.ReportUpward!.Owed, escalated.ReportUpward.Tier));

        // The report is made: to the tier leading now when none is given.
        var reported = await Ok<Incident>(await commander.PostAsJsonAsync($"{path}/upward-reports", new { reference = "花应急报〔2026〕17号", note = "phoned, written report sent" }));
        Assert.False(reported.ReportUpward!.Owed);
        Assert.Equal((LeadingTier.Province, "花应急报〔2026〕17号", owed), (reported.ReportUpward.ReportedTo, reported.ReportUpward.Reference, reported.ReportDeadline));
        Assert.NotNull(reported.ReportUpward.ReportedAt);
        Assert.False(string.IsNullOrEmpty(reported.ReportUpward.ReportedBy));
        // A downgrade after the report owes none; a report again is recorded again, not refused.
        var after = await Ok<Incident>(await commander.PostAsJsonAsync($"{path}/response-level", new { level = "II", reason = "missing found" }));
        Assert.Equal((false, owed), (after.ReportUpward!.Owed, after.ReportDeadline));
        var again = await Ok<Incident>(await dispatcher.PostAsJsonAsync($"{path}/upward-reports", new { to = "City" }));
        Assert.Equal(LeadingTier.City, again.ReportUpward!.ReportedTo);
        // An escalation after the report owes a new one, from now.
        var worse = await Ok<Incident>(await commander.PostAsJsonAsync($"{path}/response-level", new { level = "I", reason = "dam breach" }));
        Assert.True(worse.ReportUpward!.Owed);
        Assert.True(worse.ReportDeadline > owed, $"{worse.ReportDeadline:O} is not after {owed:O}");
        Assert.Equal(worse.ReportDeadline, worse.ReportUpward.DueBy);

        var timeline = await dispatcher.GetOk<List<TimelineEntry>>($"{path}/timeline");
        var reports = timeline.Where(e => e.Kind == "ReportedUpward").Select(e => e.Summary).ToList();
        Assert.Equal(2, reports.Count);
        Assert.StartsWith("reported upward to Province, reference 花应急报〔2026〕17号: phoned, written report sent (due by ", reports[0]);
        Assert.EndsWith("(none was owed: a report again)", reports[1]);
        Assert.Contains("no report upward owed", timeline.Last(e => e.Kind == "LevelChanged").Summary);

        // Bad input is a 400 naming the field; an unknown incident a 404; a final incident a 409 and owes nothing.
        Assert.Contains("\"reference\"", await Expect(await dispatcher.PostAsJsonAsync($"{path}/upward-reports", new { reference = new string('x', 201) }), HttpStatusCode.BadRequest));
        await Expect(await dispatcher.PostAsync($"{path}/upward-reports", new StringContent("""{"to":"Mayor"}""", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);
        await Expect(await dispatcher.PostAsJsonAsync("/api/v1/incidents/INC-20261206-NOSUCHXX/upward-reports", new { }), HttpStatusCode.NotFound);
        var survivor = await Ok<Incident>(await dispatcher.PostAsJsonAsync("/api/v1/incidents", Flood("The same flood, second call")));
        var merged = await Ok<Incident>(await commander.PostAsJsonAsync($"{path}/transitions", new { to = "Merged", reason = "duplicate", mergedInto = survivor.Id }));
        Assert.False(merged.ReportUpward!.Owed);
        Assert.Contains($"send further reports to {survivor.Id}", await Expect(await dispatcher.PostAsJsonAsync($"{path}/upward-reports", new { }), HttpStatusCode.Conflict));
    }

    [Fact]
    public async Task A_report_not_recorded_by_its_due_time_is_flagged_once_and_a_cancelled_incident_owes_none()
    {
        // Level IV owes its report within 3 s here (2 h shipped).
        var levels = Path.Combine(Path.GetTempPath(), $"levels-{Guid.NewGuid():N}.json");
        File.WriteAllText(levels, File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Dispatch", "Data", "response-levels.json"))
            .Replace("\"reportDeadline\": \"02:00:00\"", "\"reportDeadline\": \"00:00:03\"", StringComparison.Ordinal));
        try
        {
            await using var node = await DispatchNode.StartAsync(connectionString: null, new Dictionary<string, string?> { ["Dispatch:ResponseLevelsPath"] = levels });
            var dispatcher = node.ClientAs(Roles.Dispatcher);
            var late = await Ok<Incident>(await dispatcher.PostAsJsonAsync("/api/v1/incidents", Flood("Street flooded, nobody reports it upward")));
            var cancelled = await Ok<Incident>(await dispatcher.PostAsJsonAsync("/api/v1/incidents", Flood("False alarm")));
            Assert.Equal((ResponseLevel.IV, LeadingTier.DistrictBureau), (late.ResponseLevel, late.ReportUpward!.Tier));
            Assert.False((await Ok<Incident>(await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{cancelled.Id}/transitions", new { to = "Cancelled", reason = "false alarm" }))).ReportUpward!.Owed);

            var until = DateTime.UtcNow.AddSeconds(30);
            Incident seen;
            while (!(seen = await dispatcher.GetOk<Incident>($"/api/v1/incidents/{late.Id}")).ReportUpward!.Overdue)
            {
                Assert.True(DateTime.UtcNow < until, "no ReportOverdue within 30 s of a report due in 3 s");
                await Task.Delay(250);
            }
            Assert.True(seen.ReportUpward.Owed);
            await Task.Delay(TimeSpan.FromSeconds(2));
            var overdue = (await dispatcher.GetOk<List<TimelineEntry>>($"/api/v1/incidents/{late.Id}/timeline")).Where(e => e.Kind == "ReportOverdue").ToList();
            Assert.Equal($"report upward to DistrictBureau was due by {DistrictTime.Text(late.ReportDeadline)}; not recorded as made", Assert.Single(overdue).Summary);
            Assert.Equal("system", overdue[0].Actor);

            // Escalated while overdue: the report is now owed to the district command, as late, and said overdue to it.
            await Ok<Incident>(await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{late.Id}/response-level", new { level = "III", reason = "the water is rising" }));
            var escalatedUntil = DateTime.UtcNow.AddSeconds(30);
            List<TimelineEntry> again;
            while ((again = [.. (await dispatcher.GetOk<List<TimelineEntry>>($"/api/v1/incidents/{late.Id}/timeline")).Where(e => e.Kind == "ReportOverdue")]).Count < 2)
            {
                Assert.True(DateTime.UtcNow < escalatedUntil, "no ReportOverdue naming the district command within 30 s of the escalation");
                await Task.Delay(250);
            }
            Assert.Equal($"report upward to DistrictCommand was due by {DistrictTime.Text(late.ReportDeadline)}; not recorded as made", again[1].Summary);

            var reported = await Ok<Incident>(await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{late.Id}/upward-reports", new { note = "reported late" }));
            Assert.Equal((false, false), (reported.ReportUpward!.Owed, reported.ReportUpward.Overdue));
            Assert.Contains("(late: it was due by", (await dispatcher.GetOk<List<TimelineEntry>>($"/api/v1/incidents/{late.Id}/timeline")).Last(e => e.Kind == "ReportedUpward").Summary);

            // The cancelled incident's report fell due as long ago: nothing was raised.
            var cancelledTimeline = await dispatcher.GetOk<List<TimelineEntry>>($"/api/v1/incidents/{cancelled.Id}/timeline");
            Assert.DoesNotContain(cancelledTimeline, e => e.Kind == "ReportOverdue");
            Assert.False((await dispatcher.GetOk<Incident>($"/api/v1/incidents/{cancelled.Id}")).ReportUpward!.Overdue);
        }
        finally
        {
            File.Delete(levels);
        }
    }
}
