using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HuaduDispatch.Contracts;
using HuaduDispatch.IntegrationTests.Infrastructure;

namespace HuaduDispatch.IntegrationTests;

/// <summary>
/// How a merged incident shows outside its own record (a partner-agency integration engineer's findings, thirty-third session):
/// the EIDO of either side named neither the other, the list and the map showed the duplicate as a live incident of its own,
/// and the teams a merge carried over were announced to partners as "dispatched", assigned at the merge's time.
/// </summary>
public sealed class MergeViewTests
{
    private const string WaterAffairs = "water-affairs";

    private static async Task<T> Ok<T>(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {text}");
        return JsonSerializer.Deserialize<T>(text, DispatchJson.Options)!;
    }

    /// <summary>A report; an agency's (with its <paramref name="externalId"/>) has no source, as the token names it.</summary>
    private static async Task<Incident> Report(HttpClient client, string title, double lat, double lon, string? externalId = null)
    {
        var body = new Dictionary<string, object>
        {
            ["type"] = "Waterlogging", ["title"] = title, ["location"] = new { lat, lon }, ["occurredAt"] = DateTimeOffset.UtcNow.AddMinutes(-20),
        };
        if (externalId is null) body["source"] = "hotline";
        else body["externalId"] = externalId;
        return await Ok<Incident>(await client.PostAsJsonAsync("/api/v1/incidents", body));
    }

    private static async Task<Incident> Merge(HttpClient dispatcher, string from, string into) =>
        await Ok<Incident>(await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{from}/transitions",
            new { to = "Merged", reason = "same underpass: one incident", mergedInto = into }));

    private static async Task<JsonElement> Json(HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    private static string Tracking(string id) => $"urn:emergency:uid:incidentid:{id}:huadu-dispatch";

    private static List<(string? Tracking, string? Direction)> Merges(JsonElement eido) =>
        eido.TryGetProperty("mergeComponent", out var merges)
            ? [.. merges.EnumerateArray().Select(m => (m.GetProperty("incidentTrackingIdentifier").GetString(), m.GetProperty("incidentMergeDirectionCode").GetString()))]
            : [];

    [Fact]
    public async Task A_merged_incidents_eido_names_its_survivor_and_the_survivors_eido_lists_it_with_its_external_id()
    {
        await using var node = await DispatchNode.StartAsync(connectionString: null);
        var admin = node.ClientAs(Roles.Admin);
        await Webhooks.RegisterAgency(admin);
        await Webhooks.RegisterAgency(admin, WaterAffairs);
        var police = node.ClientAs(Roles.Agency, agencyId: Webhooks.AgencyId);
        var water = node.ClientAs(Roles.Agency, agencyId: WaterAffairs);
        var dispatcher = node.ClientAs(Roles.Dispatcher);
        var duplicate = await Report(police, "Underpass flooded (110 call)", 23.40, 113.22, externalId: "110-20261201-0042");
        var survivor = await Report(water, "Underpass flooded (water bureau)", 23.401, 113.221, externalId: "WA-7731");

        await Merge(dispatcher, duplicate.Id, survivor.Id);

        // The survivor knows the incidents merged into it (it kept them, Absorbed, and showed none).
        Assert.Equal([duplicate.Id], (await dispatcher.GetOk<Incident>($"/api/v1/incidents/{survivor.Id}")).MergedFrom);
        Assert.Empty((await dispatcher.GetOk<Incident>($"/api/v1/incidents/{duplicate.Id}")).MergedFrom);

        // The merged incident's EIDO names the incident it was merged into.
        var merged = await Json(dispatcher, $"/api/v1/incidents/{duplicate.Id}/eido");
        Assert.Equal([(Tracking(survivor.Id), "REPLACED")], Merges(merged));
        Assert.Equal(survivor.Id, merged.GetProperty("incidentComponent").GetProperty("huaduIncident").GetProperty("mergedInto").GetString());

        // The survivor's EIDO lists it, with its tracking id and the reporter's external id.
        var eido = await Json(dispatcher, $"/api/v1/incidents/{survivor.Id}/eido");
        Assert.Equal([(Tracking(duplicate.Id), "REPLACING")], Merges(eido));
        var listed = Assert.Single(eido.GetProperty("incidentComponent").GetProperty("huaduIncident").GetProperty("mergedFrom").EnumerateArray());
        Assert.Equal((duplicate.Id, Tracking(duplicate.Id), "110-20261201-0042"),
            (listed.GetProperty("incidentId").GetString(), listed.GetProperty("trackingId").GetString(), listed.GetProperty("externalId").GetString()));

        // The police, whose report was merged (the survivor is shared with it), finds its own reference in the survivor's EIDO.
        var policeView = await Json(police, $"/api/v1/incidents/{survivor.Id}/eido");
        Assert.Equal("110-20261201-0042", policeView.GetProperty("incidentComponent").GetProperty("huaduIncident").GetProperty("mergedFrom")[0].GetProperty("externalId").GetString());
        // The water bureau reads its case with the merge in it (its IncidentMergedIn event names the id too), not the police's own reference.
        var waterView = await Json(water, $"/api/v1/incidents/{survivor.Id}/eido");
        Assert.Equal([(Tracking(duplicate.Id), "REPLACING")], Merges(waterView));
        Assert.False(waterView.GetProperty("incidentComponent").GetProperty("huaduIncident").GetProperty("mergedFrom")[0].TryGetProperty("externalId", out _));
        Assert.Equal(HttpStatusCode.NotFound, (await water.GetAsync($"/api/v1/incidents/{duplicate.Id}/eido")).StatusCode);
    }

    [Fact]
    public async Task The_list_marks_a_merged_incident_merged_into_its_survivor_and_the_map_shows_it_only_when_asked()
    {
        await using var node = await DispatchNode.StartAsync(connectionString: null);
        var dispatcher = node.ClientAs(Roles.Dispatcher);
        var duplicate = await Report(dispatcher, "Underpass flooded (second call)", 23.40, 113.22);
        var survivor = await Report(dispatcher, "Underpass flooded", 23.401, 113.221);

        await Merge(dispatcher, duplicate.Id, survivor.Id);

        // The list keeps both rows; the duplicate's says which incident it is a duplicate of, and the status filter finds it.
        var rows = await dispatcher.GetOk<List<IncidentSummary>>("/api/v1/incidents");
        Assert.Equal((IncidentStatus.Merged, survivor.Id), rows.Where(r => r.Id == duplicate.Id).Select(r => (r.Status, r.MergedInto)).Single());
        Assert.Null(rows.Single(r => r.Id == survivor.Id).MergedInto);
        var merged = await dispatcher.GetOk<List<IncidentSummary>>("/api/v1/incidents?status=Merged");
        Assert.Equal(survivor.Id, Assert.Single(merged, r => r.Id == duplicate.Id).MergedInto);

        // The map shows the case once: the survivor, not the duplicate as a second live incident.
        static List<JsonElement> Features(JsonElement collection) => [.. collection.GetProperty("features").EnumerateArray()];
        var map = Features(await Json(dispatcher, "/api/v1/map/incidents"));
        Assert.Contains(map, f => f.GetProperty("id").GetString() == survivor.Id);
        Assert.DoesNotContain(map, f => f.GetProperty("id").GetString() == duplicate.Id);
        // Asked for, the duplicates show with the survivor they belong to.
        var duplicates = Features(await Json(dispatcher, "/api/v1/map/incidents?status=Merged"));
        var point = Assert.Single(duplicates, f => f.GetProperty("id").GetString() == duplicate.Id);
        Assert.Equal((survivor.Id, "Merged"), (point.GetProperty("properties").GetProperty("mergedInto").GetString(), point.GetProperty("properties").GetProperty("status").GetString()));
        Assert.DoesNotContain(duplicates, f => f.GetProperty("id").GetString() == survivor.Id);
        var bad = await dispatcher.GetAsync("/api/v1/map/incidents?status=Duplicate");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True((await bad.ReadProblem()).GetProperty("errors").TryGetProperty("status", out _));
    }

    [Fact]
    public async Task A_team_carried_by_a_merge_keeps_its_assigned_time_and_partners_hear_it_came_over_with_the_merge()
    {
        await using var receiver = await WebhookReceiver.StartNewAsync();
        await using var node = await DispatchNode.StartAsync(connectionString: null);
        var admin = node.ClientAs(Roles.Admin);
        await Webhooks.RegisterAgency(admin);
        await Webhooks.AddWebhook(admin, receiver.Url("teams"), ["TeamsDispatched"], hookId: "teams");
        var police = node.ClientAs(Roles.Agency, agencyId: Webhooks.AgencyId);
        var dispatcher = node.ClientAs(Roles.Dispatcher);
        var theirs = await Report(police, "Person in the river (110 call)", 23.40, 113.26, externalId: "110-20261201-0077");
        var duplicate = await Report(dispatcher, "Person in the river", 23.38, 113.245);
        var dispatched = await Ok<Incident>(await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{duplicate.Id}/dispatches", new { teamIds = new[] { "D05" } }));
        var assignedAt = dispatched.Teams.Single(t => t.TeamId == "D05").AssignedAt;
        await Task.Delay(1100); // the merge comes later than the dispatch, visibly

        await Merge(dispatcher, duplicate.Id, theirs.Id);

        var team = (await dispatcher.GetOk<Incident>($"/api/v1/incidents/{theirs.Id}")).Teams.Single(t => t.TeamId == "D05" && t.ReleasedAt is null);
        Assert.Equal((assignedAt, duplicate.Id), (team.AssignedAt, team.CarriedFrom));
        Assert.Null(dispatched.Teams.Single(t => t.TeamId == "D05").CarriedFrom);

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (receiver.Delivered("teams").Count == 0 && DateTime.UtcNow < deadline) await Task.Delay(100);
        var told = Assert.Single(receiver.Delivered("teams"));
        var body = JsonDocument.Parse(told.Body).RootElement;
        Assert.Equal(("TeamsDispatched", theirs.Id), (told.EventType, body.GetProperty("incidentId").GetString()));
        Assert.Equal($"D05 carried over from {duplicate.Id} (merged in)", body.GetProperty("summary").GetString());
        var carried = body.GetProperty("incident").GetProperty("teams").EnumerateArray().Single(t => t.GetProperty("teamId").GetString() == "D05");
        Assert.Equal((assignedAt, duplicate.Id), (carried.GetProperty("assignedAt").GetDateTimeOffset(), carried.GetProperty("carriedFrom").GetString()));
    }
}
