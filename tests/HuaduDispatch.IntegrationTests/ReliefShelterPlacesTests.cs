using System.Net;
using System.Net.Http.Json;
using HuaduDispatch.Contracts;
using HuaduDispatch.IntegrationTests.Infrastructure;

namespace HuaduDispatch.IntegrationTests;

/// <summary>
/// Shelter places over HTTP: placements stay where people are across re-assessments, a cancelled false alarm releases its
/// places (a merged duplicate's pass to the survivor), and a closed shelter and the reliefs agree on who is placed where.
/// </summary>
public sealed class ReliefShelterPlacesTests
{
    private static async Task<Incident> Report(HttpClient dispatcher, GeoPoint at, int relocated, string title)
    {
        var created = await dispatcher.PostAsJsonAsync("/api/v1/incidents", new
        {
            type = "Landslide", title, location = new { lat = at.Lat, lon = at.Lon }, occurredAt = DateTimeOffset.UtcNow.AddMinutes(-5),
            source = "hotline", assessment = new { affected = relocated, relocated },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<Incident>(DispatchJson.Options))!;
    }

    private static async Task Occupancy(HttpClient dispatcher, string shelterId, object body) =>
        Assert.Equal(HttpStatusCode.OK, (await dispatcher.PostAsJsonAsync($"/api/v1/shelters/{shelterId}/occupancy", body)).StatusCode);

    private static async Task Assess(HttpClient dispatcher, string incidentId, int relocated) =>
        Assert.Equal(HttpStatusCode.OK, (await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incidentId}/assessments", new { affected = relocated, relocated })).StatusCode);

    [Fact]
    public async Task A_new_assessment_keeps_people_where_they_are_housed_taking_fewer_off_the_farthest_and_placing_more_nearest_first()
    {
        await using var node = await DispatchNode.StartAsync(connectionString: null);
        var dispatcher = node.ClientAs(Roles.Dispatcher);
        var s123 = await dispatcher.GetOk<ShelterLive>("/api/v1/shelters/S123");
        await Occupancy(dispatcher, "S123", new { occupancy = s123.Capacity - 100 }); // walk-ins: room for 100
        var incident = await Report(dispatcher, s123.Position, relocated: 150, "Landslide above Hengkeng");
        Task<IncidentRelief> Relief() => dispatcher.GetOk<IncidentRelief>($"/api/v1/incidents/{incident.Id}/relief");
        Assert.Equal(new Dictionary<string, int> { ["S123"] = 100, ["S122"] = 50 }, (await Relief()).Shelters);

        // The walk-ins leave; then the figure goes down to 140: the 50 at S122 (the farther) stay there but for 10.
        await Occupancy(dispatcher, "S123", new { occupancy = 100 });
        await Assess(dispatcher, incident.Id, 140);
        Assert.Equal(new Dictionary<string, int> { ["S123"] = 100, ["S122"] = 40 }, (await Relief()).Shelters);
        Assert.Equal(40, (await dispatcher.GetOk<ShelterLive>("/api/v1/shelters/S122")).Admitted[incident.Id]);

        // 30 more: they go to the nearest shelter with room (S123, now that the walk-ins left); nobody moves.
        await Assess(dispatcher, incident.Id, 170);
        Assert.Equal(new Dictionary<string, int> { ["S123"] = 130, ["S122"] = 40 }, (await Relief()).Shelters);
        var s123Now = await dispatcher.GetOk<ShelterLive>("/api/v1/shelters/S123");
        Assert.Equal((130, 130), (s123Now.Occupancy, s123Now.Admitted[incident.Id]));
        Assert.Equal(40, (await dispatcher.GetOk<ShelterLive>("/api/v1/shelters/S122")).Occupancy);
    }

    [Fact]
    public async Task A_merged_duplicates_places_pass_to_the_survivor_and_a_cancelled_false_alarm_releases_its_own()
    {
        await using var node = await DispatchNode.StartAsync(connectionString: null);
        var dispatcher = node.ClientAs(Roles.Dispatcher);
        var s057 = await dispatcher.GetOk<ShelterLive>("/api/v1/shelters/S057");
        var a = await Report(dispatcher, s057.Position, relocated: 20, "Landslide at Jinghu (first report)");
        var b = await Report(dispatcher, s057.Position, relocated: 20, "Landslide at Jinghu");
        var both = await dispatcher.GetOk<ShelterLive>("/api/v1/shelters/S057");
        Assert.Equal(new Dictionary<string, int> { [a.Id] = 20, [b.Id] = 20 }, both.Admitted);

        Assert.Equal(HttpStatusCode.OK, (await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{a.Id}/transitions",
            new { to = "Merged", reason = "duplicate", mergedInto = b.Id })).StatusCode);
        // The duplicate's people are housed where they are: its places pass to the survivor, which has its figures added
        // (until the thirty-second session they were released, the shelter emptied on paper while the people were in it).
        var merged = await dispatcher.GetOk<ShelterLive>("/api/v1/shelters/S057");
        Assert.Equal(new Dictionary<string, int> { [b.Id] = 40 }, merged.Admitted);
        Assert.Equal(40, merged.Occupancy);
        Assert.Empty((await dispatcher.GetOk<IncidentRelief>($"/api/v1/incidents/{a.Id}/relief")).Shelters);
        Assert.Equal(new Dictionary<string, int> { ["S057"] = 40 }, (await dispatcher.GetOk<IncidentRelief>($"/api/v1/incidents/{b.Id}/relief")).Shelters);

        var falseAlarm = await Report(dispatcher, s057.Position, relocated: 30, "Landslide at Jinghu (false alarm)");
        Assert.Equal(30, (await dispatcher.GetOk<ShelterLive>("/api/v1/shelters/S057")).Admitted[falseAlarm.Id]);
        Assert.Equal(HttpStatusCode.OK, (await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{falseAlarm.Id}/transitions",
            new { to = "Cancelled", reason = "false alarm" })).StatusCode);
        var cancelled = await dispatcher.GetOk<ShelterLive>("/api/v1/shelters/S057");
        Assert.Equal(new Dictionary<string, int> { [b.Id] = 40 }, cancelled.Admitted);
        Assert.Equal(40, cancelled.Occupancy);
        Assert.Empty((await dispatcher.GetOk<IncidentRelief>($"/api/v1/incidents/{falseAlarm.Id}/relief")).Shelters);
    }

    [Fact]
    public async Task A_shelter_closed_after_its_people_left_lists_nobody_and_the_relief_places_them_elsewhere_in_agreement()
    {
        await using var node = await DispatchNode.StartAsync(connectionString: null);
        var dispatcher = node.ClientAs(Roles.Dispatcher);
        var s113 = await dispatcher.GetOk<ShelterLive>("/api/v1/shelters/S113");
        var incident = await Report(dispatcher, s113.Position, relocated: 20, "Landslide at Wengang");
        Task<IncidentRelief> Relief() => dispatcher.GetOk<IncidentRelief>($"/api/v1/incidents/{incident.Id}/relief");
        Assert.Equal(new Dictionary<string, int> { ["S113"] = 20 }, (await Relief()).Shelters);

        // The people left (a head count of 0) and the square is closed for a check.
        await Occupancy(dispatcher, "S113", new { occupancy = 0, open = false });
        var closed = await dispatcher.GetOk<ShelterLive>("/api/v1/shelters/S113");
        Assert.Empty(closed.Admitted);
        var moved = await ReliefLifecycleTests.Eventually(Relief, r => r.Shelters.Count > 0 && !r.Shelters.ContainsKey("S113"), "the 20 placed elsewhere");
        Assert.Equal(20, moved.Shelters.Values.Sum());
        foreach (var (shelterId, people) in moved.Shelters)
            Assert.Equal(people, (await dispatcher.GetOk<ShelterLive>($"/api/v1/shelters/{shelterId}")).Admitted[incident.Id]);
        var listing = await dispatcher.GetOk<List<ShelterLive>>("/api/v1/shelters");
        Assert.Equal(moved.Shelters.Keys.Order(), listing.Where(s => s.Admitted.ContainsKey(incident.Id)).Select(s => s.Id).Order());
    }

    [Fact]
    public async Task Places_a_cancelled_false_alarm_releases_go_to_relocated_people_still_without_one()
    {
        await using var node = await DispatchNode.StartAsync(connectionString: null);
        var dispatcher = node.ClientAs(Roles.Dispatcher);
        // Every shelter is full but S057, which has room for 20.
        foreach (var shelter in await dispatcher.GetOk<List<ShelterLive>>("/api/v1/shelters"))
            await Occupancy(dispatcher, shelter.Id, new { occupancy = shelter.Id == "S057" ? shelter.Capacity - 20 : shelter.Capacity, open = true });
        var s057 = await dispatcher.GetOk<ShelterLive>("/api/v1/shelters/S057");
        var falseAlarm = await Report(dispatcher, s057.Position, relocated: 20, "Landslide at Jinghu (false alarm)");
        var waiting = await Report(dispatcher, s057.Position, relocated: 20, "Landslide at Jinghu school");
        Task<IncidentRelief> Waiting() => dispatcher.GetOk<IncidentRelief>($"/api/v1/incidents/{waiting.Id}/relief");
        Assert.Empty((await Waiting()).Shelters);

        Assert.Equal(HttpStatusCode.OK, (await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{falseAlarm.Id}/transitions",
            new { to = "Cancelled", reason = "false alarm" })).StatusCode);
        var placed = await ReliefLifecycleTests.Eventually(Waiting, r => r.Shelters.Count > 0, "the 20 placed in the released places");
        Assert.Equal(new Dictionary<string, int> { ["S057"] = 20 }, placed.Shelters);
        var shelterNow = await dispatcher.GetOk<ShelterLive>("/api/v1/shelters/S057");
        Assert.Equal(new Dictionary<string, int> { [waiting.Id] = 20 }, shelterNow.Admitted);
        Assert.Equal(s057.Capacity, shelterNow.Occupancy);
    }

    [Fact]
    public async Task A_closed_incidents_people_keep_their_places_until_they_leave_and_are_placed_again_when_their_shelter_closes()
    {
        await using var node = await DispatchNode.StartAsync(connectionString: null);
        var dispatcher = node.ClientAs(Roles.Dispatcher);
        var s113 = await dispatcher.GetOk<ShelterLive>("/api/v1/shelters/S113");
        var incident = await Report(dispatcher, s113.Position, relocated: 20, "Landslide at Wengang");
        Task<IncidentRelief> Relief() => dispatcher.GetOk<IncidentRelief>($"/api/v1/incidents/{incident.Id}/relief");
        foreach (var to in new[] { "Responding", "Contained", "Recovery", "Closed" })
            Assert.Equal(HttpStatusCode.OK, (await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/transitions", new { to, reason = "landslide cleared" })).StatusCode);
        Assert.Equal(new Dictionary<string, int> { ["S113"] = 20 }, (await Relief()).Shelters);

        // The square must be cleared (a crack in the wall): the closed incident's 20 are still without a home, and get places
        // elsewhere (until the thirty-second session they lost theirs, with no alert).
        await Occupancy(dispatcher, "S113", new { occupancy = 0, open = false, note = "wall cracked" });
        var moved = await ReliefLifecycleTests.Eventually(Relief, r => r.Shelters.Count > 0 && !r.Shelters.ContainsKey("S113"), "the 20 placed elsewhere");
        Assert.Equal(20, moved.Shelters.Values.Sum());

        // They go home, a few at a time: the places they held are released at the shelter and in the relief.
        var (shelterId, held) = moved.Shelters.OrderBy(kv => kv.Key, StringComparer.Ordinal).First();
        Task<HttpResponseMessage> Left(object body) => dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/relief/shelter-departures", body);
        var fewer = await (await Left(new { shelterId, people = 1 })).Content.ReadFromJsonAsync<IncidentRelief>(DispatchJson.Options);
        Assert.Equal(held - 1, fewer!.Shelters.GetValueOrDefault(shelterId));
        Assert.Equal(held - 1, (await dispatcher.GetOk<ShelterLive>($"/api/v1/shelters/{shelterId}")).Admitted.GetValueOrDefault(incident.Id));
        Assert.Equal(HttpStatusCode.OK, (await Left(new { shelterId })).StatusCode);
        var gone = await Relief();
        Assert.False(gone.Shelters.ContainsKey(shelterId));
        Assert.False((await dispatcher.GetOk<ShelterLive>($"/api/v1/shelters/{shelterId}")).Admitted.ContainsKey(incident.Id));
        Assert.Equal(20 - held, gone.Shelters.Values.Sum());

        // What cannot be: places it does not hold, no people, more people than places; an open incident's figure places its people.
        Assert.Equal(HttpStatusCode.Conflict, (await Left(new { shelterId })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Left(new { shelterId = "" })).StatusCode);
        if (gone.Shelters.Count > 0)
        {
            var (other, places) = gone.Shelters.First();
            Assert.Equal(HttpStatusCode.BadRequest, (await Left(new { shelterId = other, people = 0 })).StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, (await Left(new { shelterId = other, people = places + 1 })).StatusCode);
        }
        var open = await Report(dispatcher, s113.Position, relocated: 5, "Landslide at Wengang school");
        var openShelter = (await dispatcher.GetOk<IncidentRelief>($"/api/v1/incidents/{open.Id}/relief")).Shelters.Keys.First();
        var refused = await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{open.Id}/relief/shelter-departures", new { shelterId = openShelter });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("lower it", await refused.Content.ReadAsStringAsync());
        // Bad input is a 400 whatever the incident's state (it was a 409 here).
        Assert.Equal(HttpStatusCode.BadRequest, (await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{open.Id}/relief/shelter-departures", new { shelterId = openShelter, people = 0 })).StatusCode);
    }

    [Fact]
    public async Task People_placed_farther_than_they_walk_raise_a_shelter_far_alert_naming_where()
    {
        await using var node = await DispatchNode.StartAsync(connectionString: null);
        var dispatcher = node.ClientAs(Roles.Dispatcher);
        // Every shelter is full but S057 (room for 10, beside the incident) and S045 (6 km away).
        foreach (var shelter in await dispatcher.GetOk<List<ShelterLive>>("/api/v1/shelters"))
            await Occupancy(dispatcher, shelter.Id, new { occupancy = shelter.Id == "S057" ? shelter.Capacity - 10 : shelter.Id == "S045" ? 0 : shelter.Capacity, open = true });
        var s057 = await dispatcher.GetOk<ShelterLive>("/api/v1/shelters/S057");
        var near = await Report(dispatcher, s057.Position, relocated: 10, "Landslide at Jinghu (10 people)");
        Assert.DoesNotContain((await dispatcher.GetOk<IncidentRelief>($"/api/v1/incidents/{near.Id}/relief")).Alerts, a => a.StartsWith("ShelterFar", StringComparison.Ordinal));
        var far = await Report(dispatcher, s057.Position, relocated: 30, "Landslide at Jinghu school");
        var relief = await dispatcher.GetOk<IncidentRelief>($"/api/v1/incidents/{far.Id}/relief");
        Assert.Equal(new Dictionary<string, int> { ["S045"] = 30 }, relief.Shelters);
        Assert.Contains(relief.Alerts, a => a.StartsWith("ShelterFar: relocated people placed more than 5 km away, the nearer shelters being full or closed: 30 at S045 (6.0 km)", StringComparison.Ordinal));
        var feed = await dispatcher.GetOk<List<ReliefAlert>>($"/api/v1/relief/alerts?incidentId={far.Id}");
        Assert.Contains(feed, a => a.Kind == ReliefAlertKind.ShelterFar);
    }
}
