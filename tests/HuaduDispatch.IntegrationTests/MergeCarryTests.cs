using System.Net;
using System.Net.Http.Json;
using HuaduDispatch.Contracts;
using HuaduDispatch.IntegrationTests.Infrastructure;

namespace HuaduDispatch.IntegrationTests;

/// <summary>
/// A merge says two reports are one case: the survivor takes in the merged incident's figures, the more severe level, its
/// field command post with its situation reports, its people's shelter places and its convoys under way and delivered
/// (the typhoon-night tester's F1, F3 and F5 of the thirty-first session: all of it stayed behind on the merged incident).
/// </summary>
public sealed class MergeCarryTests
{
    private static async Task<T> Ok<T>(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {text}");
        return System.Text.Json.JsonSerializer.Deserialize<T>(text, DispatchJson.Options)!;
    }

    private static async Task<Incident> Report(HttpClient dispatcher, string type, string title, double lat, double lon, object assessment) =>
        await Ok<Incident>(await dispatcher.PostAsJsonAsync("/api/v1/incidents", new
        {
            type, title, location = new { lat, lon }, occurredAt = DateTimeOffset.UtcNow.AddMinutes(-20), source = "hotline", assessment,
        }));

    private static async Task Merge(HttpClient dispatcher, string from, string into) =>
        await Ok<Incident>(await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{from}/transitions",
            new { to = "Merged", reason = "same flooding: estate and underpass are one incident", mergedInto = into }));

    [Fact]
    public async Task Merging_the_more_severe_report_into_the_first_call_carries_its_level_figures_post_reports_and_shelter_places()
    {
        await using var node = await DispatchNode.StartAsync(connectionString: null);
        var dispatcher = node.ClientAs(Roles.Dispatcher);
        // The first call's position is the caller's, 1.8 km north of the estate: the shelters nearest to it are not the estate's.
        var first = await Report(dispatcher, "Waterlogging", "Huacheng Rd underpass flooded (first call)", 23.392, 113.205, new { affected = 20 });
        var estate = await Report(dispatcher, "Flood", "Huacheng riverside estate flooded", 23.376, 113.206, new { affected = 1800, relocated = 1500, trapped = 6 });
        Assert.Equal((ResponseLevel.IV, ResponseLevel.III), (first.ResponseLevel, estate.ResponseLevel));
        await Ok<SitRep>(await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{estate.Id}/command-post/sitreps", new { kind = "Initial", text = "estate ground floors flooded, 6 trapped" }));
        await Ok<SitRep>(await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{estate.Id}/command-post/sitreps", new { kind = "Update", text = "4 of 6 trapped rescued" }));
        var housed = (await dispatcher.GetOk<IncidentRelief>($"/api/v1/incidents/{estate.Id}/relief")).Shelters;
        Assert.Equal(new Dictionary<string, int> { ["S052"] = 1500 }, housed);
        var occupancy = new Dictionary<string, int>();
        foreach (var shelterId in housed.Keys) occupancy[shelterId] = (await dispatcher.GetOk<ShelterLive>($"/api/v1/shelters/{shelterId}")).Occupancy;

        await Merge(dispatcher, estate.Id, first.Id);

        // The survivor has both reports' people and the more severe level.
        var survivor = await dispatcher.GetOk<Incident>($"/api/v1/incidents/{first.Id}");
        Assert.Equal(ResponseLevel.III, survivor.ResponseLevel);
        Assert.Equal((1820, 1500, 6), (survivor.Assessment.Affected, survivor.Assessment.Relocated, survivor.Assessment.Trapped));
        var timeline = await dispatcher.GetOk<List<TimelineEntry>>($"/api/v1/incidents/{first.Id}/timeline");
        Assert.Contains(timeline, e => e.Summary.Contains($"figures of {estate.Id} (merged in) added: trapped 0 + 6 = 6, affected 20 + 1,800 = 1,820, relocated 0 + 1,500 = 1,500", StringComparison.Ordinal));
        Assert.Contains(timeline, e => e.Kind == "LevelUpgraded" && e.Summary.Contains($"carried from {estate.Id} (merged in)", StringComparison.Ordinal));

        // The report upward the estate owed (to the district command, due within the hour) is the survivor's now, due as it was
        // (it got a fresh hour at the merge until a verifier's M1, thirty-second session).
        Assert.Equal((true, LeadingTier.DistrictCommand, estate.ReportUpward!.DueBy), (survivor.ReportUpward!.Owed, survivor.ReportUpward.Tier, survivor.ReportUpward.DueBy));

        // The command post and its two reports go on at the survivor; the next report is an Update, numbered on.
        var post = await dispatcher.GetOk<CommandPost>($"/api/v1/incidents/{first.Id}/command-post");
        Assert.Equal(new[] { (1, SitRepKind.Initial, $"{estate.Id}#1"), (2, SitRepKind.Update, $"{estate.Id}#2") },
            post.SitReps.Select(r => (r.Number, r.Kind, r.CarriedFrom!)).ToArray());
        var next = await Ok<SitRep>(await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{first.Id}/command-post/sitreps", new { kind = "Update", text = "2 still trapped" }));
        Assert.Equal((3, (string?)null), (next.Number, next.CarriedFrom));

        // The 1,500 stay where they are housed: the places are the survivor's now, and no shelter's head count moved.
        var relief = await dispatcher.GetOk<IncidentRelief>($"/api/v1/incidents/{first.Id}/relief");
        Assert.Equal(housed, relief.Shelters);
        Assert.Equal([estate.Id], relief.TakenFrom);
        foreach (var (shelterId, people) in housed)
        {
            var shelter = await dispatcher.GetOk<ShelterLive>($"/api/v1/shelters/{shelterId}");
            Assert.Equal(people, shelter.Admitted[first.Id]);
            Assert.False(shelter.Admitted.ContainsKey(estate.Id));
            Assert.Equal(occupancy[shelterId], shelter.Occupancy);
        }
        var merged = await dispatcher.GetOk<IncidentRelief>($"/api/v1/incidents/{estate.Id}/relief");
        Assert.Equal((first.Id, 0), (merged.HandedTo, merged.Shelters.Count));
    }

    [Fact]
    public async Task A_merged_duplicates_convoys_under_way_and_delivered_count_for_the_surviving_incident()
    {
        await using var node = await DispatchNode.StartAsync(connectionString: null);
        var dispatcher = node.ClientAs(Roles.Dispatcher);
        var duplicate = await Report(dispatcher, "Rainstorm", "Flooded homes, Xinhua (duplicate call)", 23.40, 113.22, new { affected = 30 });
        var covered = await ReliefLifecycleTests.Eventually(() => dispatcher.GetOk<IncidentRelief>($"/api/v1/incidents/{duplicate.Id}/relief"),
            r => r.PeopleCoveredByPlan == 30 && r.Shipments.Count > 0 && r.Shipments.All(s => s.Status == ShipmentStatus.Planned), "the duplicate's kit planned");
        var convoys = covered.Shipments.OrderBy(s => s.Id, StringComparer.Ordinal).ToList();
        // The first convoy arrives before the merge; the others are loading when the dispatcher merges.
        foreach (var status in new[] { "Loading", "Departed", "Delivered" })
            await Ok<Shipment>(await dispatcher.PostAsJsonAsync($"/api/v1/shipments/{convoys[0].Id}/status", new { status }));
        foreach (var convoy in convoys.Skip(1))
            await Ok<Shipment>(await dispatcher.PostAsJsonAsync($"/api/v1/shipments/{convoy.Id}/status", new { status = "Loading" }));
        var survivor = await Report(dispatcher, "Rainstorm", "Flooded homes, Xinhua", 23.401, 113.221, new { affected = 10 });

        await Merge(dispatcher, duplicate.Id, survivor.Id);

        static Dictionary<string, long> Sum(IEnumerable<Shipment> shipments) => shipments.SelectMany(s => s.Received ?? s.Lines)
            .GroupBy(l => l.ItemCode).ToDictionary(g => g.Key, g => g.Sum(l => l.Quantity));
        var relief = await dispatcher.GetOk<IncidentRelief>($"/api/v1/incidents/{survivor.Id}/relief");
        Assert.Equal(40, relief.Affected);
        Assert.Equal([duplicate.Id], relief.TakenFrom);
        Assert.Equal(convoys.Select(c => c.Id).Order(), relief.Shipments.Where(s => s.IncidentId == duplicate.Id).Select(s => s.Id).Order());
        var delivered = Sum([convoys[0]]);
        var loading = Sum(convoys.Skip(1));
        foreach (var need in relief.Needs)
            Assert.Equal((delivered.GetValueOrDefault(need.ItemCode), loading.GetValueOrDefault(need.ItemCode)), (need.Delivered, need.InTransit));

        // The convoys loading at the merge arrive: their kit counts for the survivor's people (30 of its 40 have theirs).
        foreach (var convoy in convoys.Skip(1))
            foreach (var status in new[] { "Departed", "Delivered" })
                await Ok<Shipment>(await dispatcher.PostAsJsonAsync($"/api/v1/shipments/{convoy.Id}/status", new { status }));
        var after = await dispatcher.GetOk<IncidentRelief>($"/api/v1/incidents/{survivor.Id}/relief");
        var all = Sum(convoys);
        foreach (var need in after.Needs) Assert.Equal(all.GetValueOrDefault(need.ItemCode), need.Delivered);
        Assert.True(after.PeopleRelievedByDeadline >= 30, $"{after.PeopleRelievedByDeadline} of the survivor's 40 relieved; the duplicate's 30 had their kit");
        var kpi = await dispatcher.GetOk<ReliefKpi>("/api/v1/kpi/relief");
        Assert.Equal(after.PeopleRelievedByDeadline, kpi.Incidents.Single(i => i.IncidentId == survivor.Id).RelievedWithin3h);
    }

    /// <summary>
    /// An incident in Recovery takes a merged report's case (a verifier's H1, thirty-second session: the merge answered 200 and
    /// the case was refused and dropped, its people's places left on the withdrawn relief).
    /// </summary>
    [Fact]
    public async Task A_survivor_in_recovery_takes_the_merged_reports_figures_post_and_places()
    {
        await using var node = await DispatchNode.StartAsync(connectionString: null);
        var dispatcher = node.ClientAs(Roles.Dispatcher);
        var survivor = await Report(dispatcher, "Flood", "Flooded homes, Huadong", 23.43, 113.40, new { affected = 40 });
        foreach (var to in new[] { "Responding", "Contained", "Recovery" })
            await Ok<Incident>(await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{survivor.Id}/transitions", new { to, reason = "water receding" }));
        var late = await Report(dispatcher, "Flood", "Flooded homes, Huadong (late call)", 23.431, 113.401, new { affected = 90, relocated = 25, trapped = 2 });
        await Ok<CommandPost>(await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{late.Id}/command-post", new { commander = "Ma Yun" }));
        await Ok<SitRep>(await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{late.Id}/command-post/sitreps", new { kind = "Initial", text = "2 trapped in a basement" }));
        var housed = (await dispatcher.GetOk<IncidentRelief>($"/api/v1/incidents/{late.Id}/relief")).Shelters;
        Assert.Equal(25, housed.Values.Sum());

        await Merge(dispatcher, late.Id, survivor.Id);

        var after = await dispatcher.GetOk<Incident>($"/api/v1/incidents/{survivor.Id}");
        Assert.Equal((IncidentStatus.Recovery, 130, 25, 2), (after.Status, after.Assessment.Affected, after.Assessment.Relocated, after.Assessment.Trapped));
        var post = await dispatcher.GetOk<CommandPost>($"/api/v1/incidents/{survivor.Id}/command-post");
        Assert.Equal(("Ma Yun", $"{late.Id}#1"), (post.Commander, Assert.Single(post.SitReps).CarriedFrom));
        var relief = await dispatcher.GetOk<IncidentRelief>($"/api/v1/incidents/{survivor.Id}/relief");
        Assert.Equal(housed, relief.Shelters);
        Assert.Equal([late.Id], relief.TakenFrom);
    }

    /// <summary>
    /// The partner whose case a merge grows hears of it (an <c>IncidentMergedIn</c> event with the figures added, also when the
    /// level stays: a partner tester's high finding), and reads the case without the district's report upward.
    /// </summary>
    [Fact]
    public async Task The_partner_hears_what_a_merge_added_to_its_case_and_never_sees_the_report_upward()
    {
        await using var receiver = await WebhookReceiver.StartNewAsync();
        await using var node = await DispatchNode.StartAsync(connectionString: null);
        var admin = node.ClientAs(Roles.Admin);
        await Webhooks.RegisterAgency(admin);
        await Webhooks.AddWebhook(admin, receiver.Url("merge"), ["IncidentMergedIn"], hookId: "merge");
        var police = node.ClientAs(Roles.Agency, agencyId: Webhooks.AgencyId);
        var dispatcher = node.ClientAs(Roles.Dispatcher);
        var theirs = await Ok<Incident>(await police.PostAsJsonAsync("/api/v1/incidents", new
        {
            type = "Waterlogging", title = "Underpass flooded (110 call)", location = new { lat = 23.40, lon = 113.22 },
            occurredAt = DateTimeOffset.UtcNow.AddMinutes(-20), assessment = new { affected = 10 },
        }));
        Assert.Null(theirs.ReportUpward);
        var water = await Report(dispatcher, "Waterlogging", "Underpass flooded (water bureau)", 23.401, 113.221, new { affected = 50, trapped = 2 });

        var tooLong = await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{water.Id}/transitions", new { to = "Merged", reason = "same", mergedInto = new string('X', 3000) });
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.True((await tooLong.Content.ReadAsStringAsync()).Length < 2000, "the answer quotes the 3,000 characters back");
        await Merge(dispatcher, water.Id, theirs.Id);

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (receiver.Delivered("merge").Count == 0 && DateTime.UtcNow < deadline) await Task.Delay(100);
        var told = Assert.Single(receiver.Delivered("merge"));
        Assert.Equal("IncidentMergedIn", told.EventType);
        var body = System.Text.Json.JsonDocument.Parse(told.Body).RootElement;
        Assert.Contains($"{water.Id} merged in: figures added: trapped 0 + 2 = 2, affected 10 + 50 = 60", body.GetProperty("summary").GetString());
        var incident = body.GetProperty("incident");
        Assert.Equal(2, incident.GetProperty("assessment").GetProperty("trapped").GetInt32());
        Assert.False(incident.TryGetProperty("reportUpward", out var upward) && upward.ValueKind != System.Text.Json.JsonValueKind.Null);
        Assert.Null((await police.GetOk<Incident>($"/api/v1/incidents/{theirs.Id}")).ReportUpward);
        Assert.NotNull((await dispatcher.GetOk<Incident>($"/api/v1/incidents/{theirs.Id}")).ReportUpward);
    }
}
