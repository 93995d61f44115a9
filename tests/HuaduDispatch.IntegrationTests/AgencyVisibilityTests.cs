using System.Net;
using System.Net.Http.Json;
using HuaduDispatch.Contracts;
using HuaduDispatch.IntegrationTests.Infrastructure;
using HuaduDispatch.Silo.Schema;

namespace HuaduDispatch.IntegrationTests;

/// <summary>An agency sees only what it reported or what was shared with it; its externalId finds its earlier report.</summary>
public sealed class AgencyVisibilityTests : IAsyncLifetime
{
    private DispatchNode _node = null!;

    public async Task InitializeAsync()
    {
        _node = await DispatchNode.StartAsync(connectionString: null);
        await _node.RegisterAgenciesAsync("police-110", "fire-119", "water-affairs");
    }
    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task Another_agencys_incident_is_404_everywhere_until_it_is_shared()
    {
        var police = _node.ClientAs(Roles.Agency, agencyId: "police-110");
        var fire = _node.ClientAs(Roles.Agency, agencyId: "fire-119");
        var created = await police.PostAsJsonAsync("/api/v1/incidents", HardeningTests.Incident("Car in the river", externalId: "110-A1", source: null));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var incident = (await created.Content.ReadFromJsonAsync<Incident>(DispatchJson.Options))!;
        Assert.Equal("police-110", incident.Source);

        foreach (var path in new[] { "", "/tasks", "/command-post", "/relief" })
        {
            var answer = await fire.GetAsync($"/api/v1/incidents/{incident.Id}{path}");
            Assert.True(answer.StatusCode == HttpStatusCode.NotFound, $"GET {path}: {(int)answer.StatusCode}");
            Assert.DoesNotContain("Car in the river", await answer.Content.ReadAsStringAsync());
        }
        var assess = await fire.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/assessments", new { trapped = 2 });
        Assert.Equal(HttpStatusCode.NotFound, assess.StatusCode);
        Assert.DoesNotContain(await fire.GetOk<List<IncidentSummary>>("/api/v1/incidents"), i => i.Id == incident.Id);
        Assert.Contains(await police.GetOk<List<IncidentSummary>>("/api/v1/incidents"), i => i.Id == incident.Id);
        // Same answer as for an id that does not exist at all: existence is not revealed.
        Assert.Equal(HttpStatusCode.NotFound, (await fire.GetAsync("/api/v1/incidents/INC-20260101-NOSUCHID")).StatusCode);

        // Only the command centre shares.
        Assert.Equal(HttpStatusCode.Forbidden, (await police.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/shares", new { agencyIds = new[] { "fire-119" } })).StatusCode);
        var shared = await _node.ClientAs(Roles.Dispatcher).PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/shares", new { agencyIds = new[] { "fire-119" }, reason = "water rescue" });
        Assert.Equal(HttpStatusCode.OK, shared.StatusCode);
        var seen = await fire.GetOk<Incident>($"/api/v1/incidents/{incident.Id}");
        Assert.Contains("fire-119", seen.SharedWith);
        Assert.Contains(await fire.GetOk<List<IncidentSummary>>("/api/v1/incidents"), i => i.Id == incident.Id);
        Assert.Equal(HttpStatusCode.OK, (await fire.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/assessments", new { trapped = 2 })).StatusCode);
    }

    [Fact]
    public async Task An_agency_token_naming_one_of_the_districts_own_sources_sees_none_of_their_incidents()
    {
        var dispatcher = _node.ClientAs(Roles.Dispatcher);
        async Task<Incident> Report(string source)
        {
            var created = await dispatcher.PostAsJsonAsync("/api/v1/incidents", new
            {
                type = "Waterlogging", title = "Underpass flooded", location = new { lat = 23.404, lon = 113.2245 },
                occurredAt = DateTimeOffset.UtcNow.AddMinutes(-5), source,
            });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var incident = (await created.Content.ReadFromJsonAsync<Incident>(DispatchJson.Options))!;
            Assert.Equal(source, incident.Source);
            return incident;
        }
        // A partner's id as the source: that agency reads it.
        var relayed = await Report("water-affairs");
        Assert.Equal(HttpStatusCode.OK, (await _node.ClientAs(Roles.Agency, agencyId: "water-affairs").GetAsync($"/api/v1/incidents/{relayed.Id}")).StatusCode);
        foreach (var own in IncidentSources.Internal)
        {
            var incident = await Report(own);
            // Such a token names no agency the registry could hold, so it counts for nothing (until the thirty-first session it
            // was taken and saw nothing: a 404 for the incident and an empty list).
            var agency = _node.ClientAs(Roles.Agency, agencyId: own);
            var refused = await agency.GetAsync($"/api/v1/incidents/{incident.Id}");
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Contains("reserved for the district's own incident sources", (await refused.ReadProblem()).GetProperty("detail").GetString());
            Assert.Equal(HttpStatusCode.Unauthorized, (await agency.GetAsync("/api/v1/incidents")).StatusCode);
            // Nor can such an agency be registered.
            var registered = await _node.ClientAs(Roles.Admin).PostAsJsonAsync("/api/v1/agencies", new { id = own, nameZh = "热线", nameEn = "Hotline", kind = "Police" });
            Assert.Equal(HttpStatusCode.BadRequest, registered.StatusCode);
        }
    }

    [Fact]
    public async Task An_agency_resubmitting_its_external_id_gets_the_existing_incident_not_a_second_one()
    {
        var police = _node.ClientAs(Roles.Agency, agencyId: "police-110");
        var first = await police.PostAsJsonAsync("/api/v1/incidents", HardeningTests.Incident("Gas smell", externalId: "110-B7", source: null));
        var again = await police.PostAsJsonAsync("/api/v1/incidents", HardeningTests.Incident("Gas smell (resent)", externalId: "110-B7", source: null));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var a = (await first.Content.ReadFromJsonAsync<Incident>(DispatchJson.Options))!;
        var b = (await again.Content.ReadFromJsonAsync<Incident>(DispatchJson.Options))!;
        Assert.Equal(a.Id, b.Id);
        Assert.Equal("Gas smell", b.Title);
        Assert.Equal($"/api/v1/incidents/{a.Id}", again.Headers.Location?.OriginalString);
        Assert.Single(await police.GetOk<List<IncidentSummary>>("/api/v1/incidents"), i => i.Title.StartsWith("Gas smell", StringComparison.Ordinal));

        // The same external id from another agency is another report.
        var fire = await _node.ClientAs(Roles.Agency, agencyId: "fire-119").PostAsJsonAsync("/api/v1/incidents", HardeningTests.Incident("Gas smell", externalId: "110-B7", source: null));
        Assert.Equal(HttpStatusCode.Created, fire.StatusCode);
        Assert.NotEqual(a.Id, (await fire.Content.ReadFromJsonAsync<Incident>(DispatchJson.Options))!.Id);

        // An external id is part of a storage key: a very long one is refused, not stored.
        var longId = await police.PostAsJsonAsync("/api/v1/incidents", HardeningTests.Incident("Long", externalId: new string('9', 201), source: null));
        Assert.Equal(HttpStatusCode.BadRequest, longId.StatusCode);
        Assert.True((await longId.ReadProblem()).GetProperty("errors").TryGetProperty("externalId", out _));

        // An agency cannot report as another.
        var spoof = await police.PostAsJsonAsync("/api/v1/incidents", HardeningTests.Incident("Spoof", source: "fire-119"));
        Assert.Equal(HttpStatusCode.Forbidden, spoof.StatusCode);
    }

    private static async Task<Incident> Read(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode} {text}");
        return System.Text.Json.JsonSerializer.Deserialize<Incident>(text, DispatchJson.Options)!;
    }

    [Fact]
    public async Task A_resubmission_of_an_external_id_applies_the_figures_it_gives_and_keeps_the_others()
    {
        var police = _node.ClientAs(Roles.Agency, agencyId: "police-110");
        var dispatcher = _node.ClientAs(Roles.Dispatcher);
        object Case(string title, object? assessment) => new
        {
            type = "RoadTrafficAccident", title, location = new { lat = 23.40, lon = 113.22 }, occurredAt = DateTimeOffset.UtcNow.AddMinutes(-10),
            externalId = "110-conc-2", assessment,
        };
        var first = await Read(await police.PostAsJsonAsync("/api/v1/incidents", Case("Crash 2", new { injured = 2 })), HttpStatusCode.Created);
        Assert.Equal(ResponseLevel.IV, first.ResponseLevel);
        // The centre adds a figure of its own; the 110 system does not know it.
        await Read(await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{first.Id}/assessments", new { trapped = 4 }), HttpStatusCode.OK);

        // The 110 case now has 5 dead: the system re-sends it with the same externalId.
        var again = await Read(await police.PostAsJsonAsync("/api/v1/incidents", Case("totally different", new { dead = 5 })), HttpStatusCode.OK);
        Assert.Equal(first.Id, again.Id);
        Assert.Equal(5, again.Assessment.Dead);
        Assert.Equal(2, again.Assessment.Injured); // left out: kept
        Assert.Equal(4, again.Assessment.Trapped); // the centre's figure: kept
        Assert.Equal(ResponseLevel.III, again.ResponseLevel); // 3+ dead in an accident
        Assert.Equal("Crash 2", again.Title); // not a figure: stays as first reported
        Assert.Equal(5, (await police.GetOk<Incident>($"/api/v1/incidents/{first.Id}")).Assessment.Dead);

        // A plain retry (same figures) changes nothing; figures for a final incident are a 409, as in an update.
        var version = (await police.GetOk<Incident>($"/api/v1/incidents/{first.Id}")).Version;
        Assert.Equal(version, (await Read(await police.PostAsJsonAsync("/api/v1/incidents", Case("Crash 2", new { dead = 5 })), HttpStatusCode.OK)).Version);
        await Read(await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{first.Id}/transitions", new { to = "Cancelled", reason = "duplicate" }), HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.Conflict, (await police.PostAsJsonAsync("/api/v1/incidents", Case("Crash 2", new { dead = 6 }))).StatusCode);
    }

    [Fact]
    public async Task A_partner_keeps_its_case_when_the_centre_merges_it_into_an_incident_the_partner_did_not_report()
    {
        var police = _node.ClientAs(Roles.Agency, agencyId: "police-110");
        var dispatcher = _node.ClientAs(Roles.Dispatcher);
        var reported = await Read(await police.PostAsJsonAsync("/api/v1/incidents", HardeningTests.Incident("police dup report", externalId: "110-dup-merge", source: null)), HttpStatusCode.Created);
        var hotline = await Read(await dispatcher.PostAsJsonAsync("/api/v1/incidents", HardeningTests.Incident("hotline report same flood", source: "hotline")), HttpStatusCode.Created);
        Assert.Equal(HttpStatusCode.NotFound, (await police.GetAsync($"/api/v1/incidents/{hotline.Id}")).StatusCode);

        await Read(await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{reported.Id}/transitions",
            new { to = "Merged", reason = "same flood as hotline call", mergedInto = hotline.Id }), HttpStatusCode.OK);

        var survivor = await police.GetOk<Incident>($"/api/v1/incidents/{hotline.Id}");
        Assert.Contains("police-110", survivor.SharedWith);
        Assert.Contains(await police.GetOk<List<IncidentSummary>>("/api/v1/incidents"), i => i.Id == hotline.Id);
        // Its follow-up to the merged report is told where to go, and goes there.
        var refused = await police.PostAsJsonAsync($"/api/v1/incidents/{reported.Id}/assessments", new { dead = 1 });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var detail = (await refused.ReadProblem()).GetProperty("detail").GetString();
        Assert.Contains(hotline.Id, detail);
        Assert.Contains("its figures hold this incident's people too: send the whole case's counts", detail); // they are set, not added
        Assert.Equal(1, (await Read(await police.PostAsJsonAsync($"/api/v1/incidents/{hotline.Id}/assessments", new { dead = 1 }), HttpStatusCode.OK)).Assessment.Dead);
        // Another agency still does not see it.
        Assert.Equal(HttpStatusCode.NotFound, (await _node.ClientAs(Roles.Agency, agencyId: "fire-119").GetAsync($"/api/v1/incidents/{hotline.Id}")).StatusCode);
    }

    [Fact]
    public async Task Teams_do_not_show_an_agency_the_incidents_it_may_not_see()
    {
        var dispatcher = _node.ClientAs(Roles.Dispatcher);
        var police = _node.ClientAs(Roles.Agency, agencyId: "police-110");
        var hidden = await Read(await dispatcher.PostAsJsonAsync("/api/v1/incidents", HardeningTests.Incident("Confidential: protest at district office", source: "hotline")), HttpStatusCode.Created);
        var own = await Read(await police.PostAsJsonAsync("/api/v1/incidents", HardeningTests.Incident("Police case", externalId: "110-teams", source: null)), HttpStatusCode.Created);
        await Read(await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{hidden.Id}/dispatches", new { teamIds = new[] { "D01" } }), HttpStatusCode.OK);
        await Read(await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{own.Id}/dispatches", new { teamIds = new[] { "D02" } }), HttpStatusCode.OK);

        foreach (var path in new[] { "/api/v1/teams", "/api/v1/teams/D01", "/api/v1/map/teams" })
        {
            var text = await (await police.GetAsync(path)).Content.ReadAsStringAsync();
            Assert.DoesNotContain(hidden.Id, text);
            Assert.Contains(hidden.Id, await (await dispatcher.GetAsync(path)).Content.ReadAsStringAsync());
        }
        var teams = await police.GetOk<List<RescueTeam>>("/api/v1/teams");
        Assert.Equal(TeamStatus.Assigned, teams.Single(t => t.Id == "D01").Status);
        Assert.Null(teams.Single(t => t.Id == "D01").IncidentId);
        Assert.Equal(own.Id, teams.Single(t => t.Id == "D02").IncidentId); // its own incident's team still shows it
        Assert.Contains(own.Id, await (await police.GetAsync("/api/v1/map/teams")).Content.ReadAsStringAsync());

        // Released, the team's note of the hidden incident ends (it stayed until the team's next status, and an agency read it
        // until the thirtieth session); a note the team gives with no incident is not shown to an agency either.
        Assert.Equal(HttpStatusCode.OK, (await dispatcher.PostAsJsonAsync("/api/v1/teams/D01/status", new { status = "OnScene", note = "on scene at the district office, crowd of 200" })).StatusCode);
        await Read(await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{hidden.Id}/teams/D01/release", new { reason = "done" }), HttpStatusCode.OK);
        Assert.Equal((TeamStatus.Returning, (string?)null), ((await dispatcher.GetOk<RescueTeam>("/api/v1/teams/D01")).Status, (await dispatcher.GetOk<RescueTeam>("/api/v1/teams/D01")).StatusNote));
        Assert.Equal(HttpStatusCode.OK, (await dispatcher.PostAsJsonAsync("/api/v1/teams/D01/status", new { status = "Available", note = "back from the district office, crowd of 200 dispersed" })).StatusCode);
        Assert.Contains("crowd of 200", (await dispatcher.GetOk<RescueTeam>("/api/v1/teams/D01")).StatusNote);
        foreach (var path in new[] { "/api/v1/teams", "/api/v1/teams/D01", "/api/v1/teams?status=Available" })
            Assert.DoesNotContain("crowd of 200", await (await police.GetAsync(path)).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Shelters_do_not_show_an_agency_the_incidents_it_may_not_see_but_keep_its_totals()
    {
        var dispatcher = _node.ClientAs(Roles.Dispatcher);
        var police = _node.ClientAs(Roles.Agency, agencyId: "police-110");
        object Displaced(string title, string? externalId, string? source, int relocated) => new
        {
            type = "Waterlogging", title, location = new { lat = 23.404, lon = 113.2245 }, occurredAt = DateTimeOffset.UtcNow.AddMinutes(-5),
            source, externalId, assessment = new { affected = relocated, relocated },
        };
        var hidden = await Read(await dispatcher.PostAsJsonAsync("/api/v1/incidents", Displaced("Confidential: residence evacuated", null, "hotline", 20)), HttpStatusCode.Created);
        var own = await Read(await police.PostAsJsonAsync("/api/v1/incidents", Displaced("Police case: block evacuated", "110-shelter", null, 10)), HttpStatusCode.Created);

        List<ShelterLive> asSeen = [];
        for (var i = 0; i < 100 && asSeen.Sum(s => s.Admitted.Values.Sum()) < 30; i++, await Task.Delay(100))
            asSeen = await dispatcher.GetOk<List<ShelterLive>>("/api/v1/shelters");
        Assert.Equal(30, asSeen.Sum(s => s.Admitted.Values.Sum()));
        Assert.Contains(asSeen, s => s.Admitted.ContainsKey(hidden.Id));

        var toPolice = await police.GetOk<List<ShelterLive>>("/api/v1/shelters");
        Assert.DoesNotContain(toPolice, s => s.Admitted.ContainsKey(hidden.Id));
        Assert.Equal(10, toPolice.Sum(s => s.Admitted.GetValueOrDefault(own.Id)));
        Assert.Equal(20, toPolice.Sum(s => s.Admitted.GetValueOrDefault("others")));
        // The same places and room as the dispatcher sees.
        Assert.Equal(asSeen.Select(s => (s.Id, s.Room)), toPolice.Select(s => (s.Id, s.Room)));
        var housing = asSeen.First(s => s.Admitted.ContainsKey(hidden.Id)).Id;
        Assert.DoesNotContain(hidden.Id, await (await police.GetAsync($"/api/v1/shelters/{housing}")).Content.ReadAsStringAsync());
        Assert.Contains(hidden.Id, await (await dispatcher.GetAsync($"/api/v1/shelters/{housing}")).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_source_that_is_no_agency_id_is_a_400_and_a_token_naming_a_district_source_cannot_report()
    {
        var dispatcher = _node.ClientAs(Roles.Dispatcher);
        var bad = await dispatcher.PostAsJsonAsync("/api/v1/incidents", HardeningTests.Incident("Named source", source: "Police 110 / 公安"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True((await bad.ReadProblem()).GetProperty("errors").TryGetProperty("source", out _));
        Assert.Equal("water-affairs", (await Read(await dispatcher.PostAsJsonAsync("/api/v1/incidents", HardeningTests.Incident("Relayed", source: "water-affairs")), HttpStatusCode.Created)).Source);

        // An agency token naming one of the district's own sources cannot report: no registered agency has that id (a 401
        // since the thirty-first session; a 403 before).
        var hotlineToken = await _node.ClientAs(Roles.Agency, agencyId: "hotline").PostAsJsonAsync("/api/v1/incidents", HardeningTests.Incident("As hotline", source: null));
        Assert.Equal(HttpStatusCode.Unauthorized, hotlineToken.StatusCode);

        // EIDO: the sending agency is checked the same way, and a plain string reference is read.
        static string Eido(string tracking, string sender) => $$"""
            {"$id":"{{tracking}}","lastUpdateTimeStamp":"{{DateTimeOffset.UtcNow.AddMinutes(-5):O}}","updatedByAgencyReference":{{sender}},
             "incidentComponent":{"incidentTypeCommonRegistryText":"Flood","locationReference":[{"$ref":"l1"}]},
             "locationComponent":[{"$id":"l1","locationByValue":"<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" xmlns:gml=\"http://www.opengis.net/gml\"><gml:Point srsName=\"urn:ogc:def:crs:EPSG::4326\"><gml:pos>23.45 113.30</gml:pos></gml:Point></presence>"}]}
            """;
        var named = await dispatcher.PostAsync("/api/v1/eido", new StringContent(Eido("urn:x:1", """{"$ref":"Police 110 / 公安"}"""), System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, named.StatusCode);
        Assert.True((await named.ReadProblem()).GetProperty("errors").TryGetProperty("updatedByAgencyReference.$ref", out _));
        var plain = await dispatcher.PostAsync("/api/v1/eido", new StringContent(Eido("urn:x:2", "\"police-110\""), System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal("police-110", (await Read(plain, HttpStatusCode.Created)).Source);
    }

    [Fact]
    public async Task A_refused_first_report_does_not_block_the_corrected_resubmission()
    {
        var police = _node.ClientAs(Roles.Agency, agencyId: "police-110");
        var bad = await police.PostAsJsonAsync("/api/v1/incidents", new { type = "Waterlogging", title = "No location", externalId = "110-C3", occurredAt = DateTimeOffset.UtcNow });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var good = await police.PostAsJsonAsync("/api/v1/incidents", HardeningTests.Incident("With location", externalId: "110-C3", source: null));
        Assert.Equal(HttpStatusCode.Created, good.StatusCode);
    }
}

/// <summary>Idempotency keys are kept in grain storage: in PostgreSQL mode they survive a restart.</summary>
[Collection(PostgresCollection.Name)]
public sealed class IdempotencyDurabilityTests(PostgresServer postgres)
{
    [Fact]
    public async Task A_key_answered_before_a_restart_is_replayed_after_it_and_still_refuses_another_body()
    {
        var cs = await postgres.CreateDatabaseAsync();
        await new SchemaMigrator(cs).MigrateAsync();
        var key = Guid.NewGuid().ToString();
        string firstBody;
        Uri? firstLocation;
        await using (var node = await DispatchNode.StartAsync(cs))
        {
            var first = await HardeningTests.PostWithKey(node.ClientAs(Roles.Dispatcher), "/api/v1/incidents", HardeningTests.Incident("Before restart"), key);
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
            firstBody = await first.Content.ReadAsStringAsync();
            firstLocation = first.Headers.Location;
        }
        await using (var node = await DispatchNode.StartAsync(cs))
        {
            var dispatcher = node.ClientAs(Roles.Dispatcher);
            var replay = await HardeningTests.PostWithKey(dispatcher, "/api/v1/incidents", HardeningTests.Incident("Before restart"), key);
            Assert.Equal(HttpStatusCode.Created, replay.StatusCode);
            Assert.True(replay.Headers.TryGetValues("Idempotent-Replayed", out _));
            Assert.Equal(firstBody, await replay.Content.ReadAsStringAsync());
            Assert.Equal(firstLocation, replay.Headers.Location);
            Assert.Single(await dispatcher.GetOk<List<IncidentSummary>>("/api/v1/incidents"));
            var other = await HardeningTests.PostWithKey(dispatcher, "/api/v1/incidents", HardeningTests.Incident("Different"), key);
            Assert.Equal((HttpStatusCode)422, other.StatusCode);
        }
    }
}
