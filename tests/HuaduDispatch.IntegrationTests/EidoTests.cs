using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using HuaduDispatch.Contracts;
using HuaduDispatch.IntegrationTests.Infrastructure;

namespace HuaduDispatch.IntegrationTests;

/// <summary>One embedded node shared by the tests of a class (starting a node per test costs seconds on 2 cores).</summary>
public sealed class EmbeddedNodeFixture : IAsyncLifetime
{
    public DispatchNode Node { get; private set; } = null!;
    public async Task InitializeAsync()
    {
        Node = await DispatchNode.StartAsync(connectionString: null);
        await Node.RegisterAgenciesAsync("police-110", "fire-119", "water-affairs", "red-cross");
    }
    public async Task DisposeAsync() => await Node.DisposeAsync();
}

/// <summary>NENA EIDO export and import through the real HTTP API of embedded nodes.</summary>
public sealed class EidoTests(EmbeddedNodeFixture fixture) : IClassFixture<EmbeddedNodeFixture>
{
    private DispatchNode Node => fixture.Node;

    private static StringContent JsonBody(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<T> Expect<T>(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode} {text}");
        return JsonSerializer.Deserialize<T>(text, DispatchJson.Options)!;
    }

    private static async Task<JsonElement> Problem(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(text).RootElement;
    }

    private static async Task<string> GetText(HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {text}");
        return text;
    }

    private static object NewIncident(IncidentType type, double lat, double lon, string? source = "hotline", object? assessment = null) => new
    {
        type = type.ToString(),
        title = $"{type} EIDO test",
        description = "Water over the road, a car stuck <with> two people",
        location = new { lat, lon, address = "Xinhua, Gongyi Road" },
        occurredAt = DateTimeOffset.UtcNow.AddMinutes(-20),
        source,
        assessment,
    };

    /// <summary>What a fresh import can reproduce, read from an exported EIDO.</summary>
    private static object Comparable(JsonElement eido)
    {
        var incident = eido.GetProperty("incidentComponent");
        var ext = incident.GetProperty("huaduIncident");
        var location = eido.GetProperty("locationComponent")[0];
        var pidf = location.GetProperty("locationByValue").GetString()!;
        var pos = pidf[(pidf.IndexOf("<gml:pos>", StringComparison.Ordinal) + 9)..pidf.IndexOf("</gml:pos>", StringComparison.Ordinal)];
        return new
        {
            Type = incident.GetProperty("incidentTypeInternalCode").GetString(),
            Common = incident.GetProperty("incidentTypeCommonRegistryText").GetString(),
            Title = ext.GetProperty("title").GetString(),
            Description = ext.GetProperty("description").GetString(),
            OccurredAt = ext.GetProperty("occurredAt").GetDateTimeOffset().ToUniversalTime(),
            Assessment = ext.GetProperty("assessment").GetRawText(),
            Level = incident.GetProperty("incidentPriorityInternalText").GetString(),
            Area = incident.GetProperty("beatOrDispatchGroupText").GetString(),
            Position = pos,
            Address = location.GetProperty("locationDescriptionText").GetString(),
        };
    }

    [Fact]
    public async Task An_exported_incident_imports_into_a_fresh_system_as_the_same_incident_and_a_resubmission_finds_it()
    {
        var dispatcher = Node.ClientAs(Roles.Dispatcher);
        var original = await Expect<Incident>(await dispatcher.PostAsJsonAsync("/api/v1/incidents",
            NewIncident(IncidentType.Waterlogging, 23.404, 113.221, assessment: new { trapped = 2, injured = 1, affected = 60, relocated = 20 })), HttpStatusCode.Created);
        var rec = await dispatcher.GetOk<IncidentRecommendation>($"/api/v1/incidents/{original.Id}/recommendations");
        var teamIds = rec.Modules.SelectMany(m => m.Picks).Select(p => p.TeamId).Distinct().ToList();
        Assert.NotEmpty(teamIds);
        var dispatched = await Expect<Incident>(await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{original.Id}/dispatches", new { teamIds }), HttpStatusCode.OK);
        Assert.Equal(IncidentStatus.Responding, dispatched.Status);

        var exportedText = await GetText(dispatcher, $"/api/v1/incidents/{original.Id}/eido");
        var exported = JsonDocument.Parse(exportedText).RootElement;
        Assert.Equal($"urn:emergency:uid:incidentid:{original.Id}:huadu-dispatch", exported.GetProperty("$id").GetString());
        Assert.Equal(original.Id, exported.GetProperty("incidentComponent").GetProperty("internalIncidentId").GetString());
        Assert.True(exported.TryGetProperty("lastUpdateTimeStamp", out _));
        Assert.Equal(teamIds.Order(), exported.GetProperty("emergencyResourceComponent").EnumerateArray()
            .Select(r => r.GetProperty("$id").GetString()!.Split(':')[^1]).Order());
        Assert.Equal(teamIds.Count, exported.GetProperty("dispatchComponent").GetArrayLength());
        // A dispatcher may read the timeline: the description note plus one note per timeline entry.
        Assert.True(exported.GetProperty("notesComponent").GetArrayLength() > 3);

        // A fresh, separate in-memory system.
        await using var fresh = await DispatchNode.StartAsync(connectionString: null);
        var freshDispatcher = fresh.ClientAs(Roles.Dispatcher);
        var first = await freshDispatcher.PostAsync("/api/v1/eido", JsonBody(exportedText));
        var imported = await Expect<Incident>(first, HttpStatusCode.Created);
        Assert.Equal($"/api/v1/incidents/{imported.Id}", first.Headers.Location?.OriginalString);
        Assert.NotEqual(original.Id, imported.Id);
        Assert.Equal(exported.GetProperty("$id").GetString(), imported.ExternalId);
        Assert.Equal("huadu-dispatch", imported.Source);

        var reExported = JsonDocument.Parse(await GetText(freshDispatcher, $"/api/v1/incidents/{imported.Id}/eido")).RootElement;
        Assert.Equal(Comparable(exported), Comparable(reExported));
        Assert.Equal(original.Assessment, imported.Assessment);
        Assert.Equal(original.ResponseLevel, imported.ResponseLevel);
        Assert.Equal(original.Location.AreaId, imported.Location.AreaId);
        // What a fresh import cannot reproduce: the status (a new report starts at Reported) and the team assignments
        // (the teams belong to the exporting system's dispatch decisions).
        Assert.Equal(IncidentStatus.Reported, imported.Status);
        Assert.Empty(imported.Teams);
        Assert.Equal(0, reExported.GetProperty("emergencyResourceComponent").GetArrayLength());

        // The same document again: the same incident, 200, nothing new.
        var again = await freshDispatcher.PostAsync("/api/v1/eido", JsonBody(exportedText));
        Assert.Equal(imported.Id, (await Expect<Incident>(again, HttpStatusCode.OK)).Id);
        Assert.Equal($"/api/v1/incidents/{imported.Id}", again.Headers.Location?.OriginalString);
        var listed = await freshDispatcher.GetOk<List<IncidentSummary>>("/api/v1/incidents");
        Assert.Single(listed);
    }

    [Fact]
    public async Task Importing_our_own_tracking_id_updates_the_incident_with_new_figures()
    {
        var dispatcher = Node.ClientAs(Roles.Dispatcher);
        var original = await Expect<Incident>(await dispatcher.PostAsJsonAsync("/api/v1/incidents",
            NewIncident(IncidentType.Flood, 23.38, 113.19, assessment: new { injured = 1 })), HttpStatusCode.Created);
        var eido = JsonNode.Parse(await GetText(dispatcher, $"/api/v1/incidents/{original.Id}/eido"))!;

        var unchanged = await dispatcher.PostAsync("/api/v1/eido", JsonBody(eido.ToJsonString()));
        var same = await Expect<Incident>(unchanged, HttpStatusCode.OK);
        Assert.Equal((original.Id, original.Version), (same.Id, same.Version));

        eido["incidentComponent"]!["huaduIncident"]!["assessment"]!["dead"] = 3;
        // The other spelling of the timestamp is read too.
        var root = eido.AsObject();
        var stamp = root["lastUpdateTimeStamp"]!.DeepClone();
        root.Remove("lastUpdateTimeStamp");
        root["lastUpdateTimestamp"] = stamp;
        var updated = await Expect<Incident>(await dispatcher.PostAsync("/api/v1/eido", JsonBody(eido.ToJsonString())), HttpStatusCode.OK);
        Assert.Equal(original.Id, updated.Id);
        Assert.Equal(3, updated.Assessment.Dead);
        Assert.Equal(1, updated.Assessment.Injured);
        Assert.True(updated.Version > original.Version);

        // A feed that sends only the figure it knows: the others stay as the centre entered them (they were set to 0, which
        // cancelled the relief demand and freed the shelter places of its relocated people).
        Assert.Equal(HttpStatusCode.OK, (await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{original.Id}/assessments", new { affected = 50, relocated = 20 })).StatusCode);
        eido["incidentComponent"]!["huaduIncident"]!["assessment"] = new JsonObject { ["dead"] = 8 };
        var partial = await Expect<Incident>(await dispatcher.PostAsync("/api/v1/eido", JsonBody(eido.ToJsonString())), HttpStatusCode.OK);
        Assert.Equal((8, 1, 50, 20), (partial.Assessment.Dead, partial.Assessment.Injured, partial.Assessment.Affected, partial.Assessment.Relocated));
    }

    [Fact]
    public async Task An_agency_reads_only_its_own_incidents_eido_without_the_timeline()
    {
        var police = Node.ClientAs(Roles.Agency, agencyId: "police-110");
        var fire = Node.ClientAs(Roles.Agency, agencyId: "fire-119");
        var reported = await Expect<Incident>(await police.PostAsJsonAsync("/api/v1/incidents",
            NewIncident(IncidentType.RoadTrafficAccident, 23.39, 113.21, source: null)), HttpStatusCode.Created);

        var problem = await Problem(await fire.GetAsync($"/api/v1/incidents/{reported.Id}/eido"), HttpStatusCode.NotFound);
        Assert.Equal(404, problem.GetProperty("status").GetInt32());
        await Problem(await fire.GetAsync("/api/v1/incidents/INC-20990101-NOPENOPE/eido"), HttpStatusCode.NotFound);

        var own = JsonDocument.Parse(await GetText(police, $"/api/v1/incidents/{reported.Id}/eido")).RootElement;
        Assert.Equal(1, own.GetProperty("notesComponent").GetArrayLength()); // the description only
        Assert.Contains(own.GetProperty("agencyComponent").EnumerateArray(), a => a.GetProperty("$id").GetString() == "police-110");
        var console = JsonDocument.Parse(await GetText(Node.ClientAs(Roles.Viewer), $"/api/v1/incidents/{reported.Id}/eido")).RootElement;
        Assert.True(console.GetProperty("notesComponent").GetArrayLength() > 1);
    }

    [Fact]
    public async Task An_agency_imports_a_foreign_eido_as_itself_and_a_resubmission_is_200()
    {
        var agency = Node.ClientAs(Roles.Agency, agencyId: "water-affairs");
        var pidf = "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" xmlns:gp=\"urn:ietf:params:xml:ns:pidf:geopriv10\" xmlns:gml=\"http://www.opengis.net/gml\" entity=\"pres:x@example\"><tuple id=\"t\"><status><gp:geopriv><gp:location-info><gml:Point srsName=\"urn:ogc:def:crs:EPSG::4326\"><gml:pos>23.45 113.30</gml:pos></gml:Point></gp:location-info></gp:geopriv></status></tuple></presence>";
        var tracking = $"urn:emergency:uid:incidentid:{Guid.NewGuid():N}:water.example.org";
        var doc = new JsonObject
        {
            ["$id"] = tracking,
            ["lastUpdateTimestamp"] = DateTimeOffset.UtcNow.AddMinutes(-2).ToString("O"),
            ["eidoVersion"] = "1.0",
            ["updatedByAgencyReference"] = new JsonObject { ["$ref"] = "someone-else" },
            ["incidentComponent"] = new JsonObject
            {
                ["$id"] = "i1", ["incidentTypeCommonRegistryText"] = "Flood", ["incidentTypeInternalText"] = "River bank seepage",
                ["locationReference"] = new JsonArray(new JsonObject { ["$ref"] = "l1" }),
            },
            ["locationComponent"] = new JsonArray(new JsonObject
            {
                ["$id"] = "l1", ["locationTypeDescriptionRegistryText"] = "Incident", ["locationByValue"] = pidf,
            }),
        };
        var created = await agency.PostAsync("/api/v1/eido", JsonBody(doc.ToJsonString()));
        var incident = await Expect<Incident>(created, HttpStatusCode.Created);
        Assert.Equal(("water-affairs", tracking, IncidentType.Flood), (incident.Source, incident.ExternalId, incident.Type));
        Assert.Equal("River bank seepage", incident.Title);
        Assert.Null(incident.ReportUpward); // as partners see an incident: without the district's report upward
        Assert.Equal((23.45, 113.30), (incident.Location.Lat, incident.Location.Lon));
        var again = await Expect<Incident>(await agency.PostAsync("/api/v1/eido", JsonBody(doc.ToJsonString())), HttpStatusCode.OK);
        Assert.Equal(incident.Id, again.Id);
        // Another agency sending the same tracking id is another reporter: its own incident.
        var other = await Expect<Incident>(await Node.ClientAs(Roles.Agency, agencyId: "red-cross").PostAsync("/api/v1/eido", JsonBody(doc.ToJsonString())), HttpStatusCode.Created);
        Assert.NotEqual(incident.Id, other.Id);
    }

    [Theory]
    [InlineData("{not json", "body")]
    [InlineData("null", "body")]
    [InlineData("", "body")]
    [InlineData("""{"$id":"x-1","incidentComponent":{"incidentTypeCommonRegistryText":"Flood"}}""", "lastUpdateTimeStamp")]
    [InlineData("""{"$id":"x-1","lastUpdateTimeStamp":"2026-01-01T00:00:00Z"}""", "incidentComponent")]
    [InlineData("""{"$id":"x-1","lastUpdateTimeStamp":"2026-01-01T00:00:00Z","incidentComponent":{"incidentTypeCommonRegistryText":"Flood"}}""", "locationComponent")]
    [InlineData("""{"$id":"x-1","lastUpdateTimeStamp":"2026-01-01T00:00:00Z","incidentComponent":{"incidentTypeCommonRegistryText":"Meteor"},"locationComponent":[]}""", "incidentComponent.incidentTypeCommonRegistryText")]
    [InlineData("""{"$id":"x-1","lastUpdateTimeStamp":"2026-01-01T00:00:00Z","incidentComponent":{"incidentTypeCommonRegistryText":"Flood"},"locationComponent":[{"$id":"l","locationByValue":"<presence/>"}]}""", "locationComponent[0].locationByValue")]
    // The incident's time rules name the member the time was taken from (before the twenty-third session they all said occurredAt).
    [InlineData("""{"$id":"x-1","lastUpdateTimeStamp":"2999-01-01T00:00:00Z","incidentComponent":{"incidentTypeCommonRegistryText":"Flood"},"locationComponent":[{"$id":"l","locationByValue":"<p xmlns:gml='http://www.opengis.net/gml'><gml:pos>23.4 113.2</gml:pos></p>"}]}""", "lastUpdateTimeStamp")]
    [InlineData("""{"$id":"x-1","lastUpdateTimeStamp":"2024-01-01T00:00:00+08:00","incidentComponent":{"incidentTypeCommonRegistryText":"Flood"},"locationComponent":[{"$id":"l","locationByValue":"<p xmlns:gml='http://www.opengis.net/gml'><gml:pos>23.4 113.2</gml:pos></p>"}]}""", "lastUpdateTimeStamp")]
    [InlineData("""{"$id":"x-1","lastUpdateTimeStamp":"2026-01-01T00:00:00Z","callComponent":[{"callStartTimestamp":"2999-01-01T00:00:00Z"}],"incidentComponent":{"incidentTypeCommonRegistryText":"Flood"},"locationComponent":[{"$id":"l","locationByValue":"<p xmlns:gml='http://www.opengis.net/gml'><gml:pos>23.4 113.2</gml:pos></p>"}]}""", "callComponent[].callStartTimestamp")]
    [InlineData("""{"$id":"x-1","lastUpdateTimeStamp":"2026-01-01T00:00:00Z","incidentComponent":{"incidentTypeCommonRegistryText":"Flood","huaduIncident":{"occurredAt":"2999-01-01T00:00:00Z"}},"locationComponent":[{"$id":"l","locationByValue":"<p xmlns:gml='http://www.opengis.net/gml'><gml:pos>23.4 113.2</gml:pos></p>"}]}""", "incidentComponent.huaduIncident.occurredAt")]
    [InlineData("""{"$id":"x-1xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx","lastUpdateTimeStamp":"2026-01-01T00:00:00Z","incidentComponent":{"incidentTypeCommonRegistryText":"Flood"},"locationComponent":[{"$id":"l","locationByValue":"<p xmlns:gml='http://www.opengis.net/gml'><gml:pos>23.4 113.2</gml:pos></p>"}]}""", "$id")]
    // Valid JSON whose text is not (a lone surrogate escape, as when a sender cuts text inside a pair): was a 500.
    [InlineData("""{"$id":"x-1","lastUpdateTimeStamp":"2026-01-01T00:00:00Z","incidentComponent":{"incidentTypeCommonRegistryText":"Flood","incidentTypeInternalText":"\ud800 lone"},"locationComponent":[{"$id":"l","locationByValue":"<p xmlns:gml='http://www.opengis.net/gml'><gml:pos>23.4 113.2</gml:pos></p>"}]}""", "incidentComponent.incidentTypeInternalText")]
    [InlineData("""{"$id":"urn:x:\udfff","lastUpdateTimeStamp":"2026-01-01T00:00:00Z"}""", "$id")]
    // The same in the location (named locationByValue alone until the thirtieth session), and a PIDF-LO with a DOCTYPE.
    [InlineData("""{"$id":"x-1","lastUpdateTimeStamp":"2026-01-01T00:00:00Z","incidentComponent":{"incidentTypeCommonRegistryText":"Flood"},"locationComponent":[{"$id":"l","locationByValue":"<p>\ud800</p>"}]}""", "locationComponent[0].locationByValue")]
    [InlineData("""{"$id":"x-dtd","lastUpdateTimeStamp":"2026-01-01T00:00:00Z","incidentComponent":{"incidentTypeCommonRegistryText":"Flood"},"locationComponent":[{"$id":"l","locationByValue":"<!DOCTYPE p [<!ENTITY a 'x'>]><p xmlns:gml='http://www.opengis.net/gml'><gml:pos>23.4 113.2</gml:pos></p>"}]}""", "locationComponent[0].locationByValue")]
    public async Task Bad_documents_are_400_problems_naming_the_field(string body, string field)
    {
        var response = await Node.ClientAs(Roles.Dispatcher).PostAsync("/api/v1/eido", JsonBody(body));
        var problem = await Problem(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out var reasons), problem.GetRawText());
        if (field == "incidentComponent.incidentTypeCommonRegistryText") Assert.Contains("Landslide", reasons[0].GetString());
    }

    /// <summary>
    /// Entities in a PIDF-LO expanded into megabytes that the refusal quoted whole (a 660-byte request answered 8 MB until the
    /// thirtieth session), and a valid position followed by them made an incident. A PIDF-LO has no DOCTYPE: any is refused.
    /// </summary>
    [Theory]
    [InlineData("&f;&f;&f;&f;")]
    [InlineData("23.45 113.30 &f;&f;&f;&f;")]
    public async Task A_location_with_a_doctype_is_a_short_400_whatever_its_entities_expand_to(string pos)
    {
        var entities = "<!ENTITY a \"AAAAAAAAAA\">" + string.Concat(Enumerable.Range(0, 5).Select(i => $"<!ENTITY {(char)('b' + i)} \"{string.Concat(Enumerable.Repeat($"&{(char)('a' + i)};", 10))}\">"));
        var xml = $"<!DOCTYPE presence [{entities}]><presence xmlns=\"urn:ietf:params:xml:ns:pidf\" xmlns:gml=\"http://www.opengis.net/gml\"><gml:Point srsName=\"EPSG:4326\"><gml:pos>{pos}</gml:pos></gml:Point></presence>";
        var doc = new JsonObject
        {
            ["$id"] = $"urn:emergency:uid:incidentid:{Guid.NewGuid():N}:water.example.org",
            ["lastUpdateTimestamp"] = DateTimeOffset.UtcNow.AddMinutes(-2).ToString("O"),
            ["incidentComponent"] = new JsonObject { ["incidentTypeCommonRegistryText"] = "Flood" },
            ["locationComponent"] = new JsonArray(new JsonObject { ["$id"] = "l1", ["locationByValue"] = xml }),
        };
        var response = await Node.ClientAs(Roles.Dispatcher).PostAsync("/api/v1/eido", JsonBody(doc.ToJsonString()));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(text.Length < 2000, $"{(int)response.StatusCode}, {text.Length} characters");
        var problem = await Problem(response, HttpStatusCode.BadRequest);
        Assert.Contains("DOCTYPE", problem.GetProperty("errors").GetProperty("locationComponent[0].locationByValue")[0].GetString());
    }

    /// <summary>An EIDO is read by hand, not by the typed reader that limits each string: its texts have the same limit.</summary>
    [Theory]
    [InlineData("title")]
    [InlineData("description")]
    public async Task An_eido_whose_text_is_longer_than_a_report_may_hold_is_a_400_and_creates_nothing(string field)
    {
        var before = (await Node.ClientAs(Roles.Dispatcher).GetOk<List<IncidentSummary>>("/api/v1/incidents")).Count;
        var tooLong = new string('水', 4001);
        var component = new JsonObject { ["$id"] = "i1", ["incidentTypeCommonRegistryText"] = "Flood", ["incidentTypeInternalText"] = field == "title" ? tooLong : "Seepage" };
        if (field == "description") component["notesReference"] = new JsonArray(new JsonObject { ["$ref"] = "n1" });
        var doc = new JsonObject
        {
            ["$id"] = $"urn:emergency:uid:incidentid:{Guid.NewGuid():N}:water.example.org",
            ["lastUpdateTimestamp"] = DateTimeOffset.UtcNow.AddMinutes(-2).ToString("O"),
            ["incidentComponent"] = component,
            ["locationComponent"] = new JsonArray(new JsonObject
            {
                ["$id"] = "l1", ["locationByValue"] = "<p xmlns:gml='http://www.opengis.net/gml'><gml:pos>23.4 113.2</gml:pos></p>",
            }),
            ["notesComponent"] = new JsonArray(new JsonObject { ["$id"] = "n1", ["notesActionComments"] = "<p>" + tooLong + "</p>" }),
        };
        var response = await Node.ClientAs(Roles.Dispatcher).PostAsync("/api/v1/eido", JsonBody(doc.ToJsonString()));
        var problem = await Problem(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.GetRawText());
        Assert.Contains("4001 characters", problem.GetProperty("detail").GetString());
        Assert.Equal(before, (await Node.ClientAs(Roles.Dispatcher).GetOk<List<IncidentSummary>>("/api/v1/incidents")).Count);
    }

    [Fact]
    public async Task Team_and_viewer_tokens_may_not_import()
    {
        Assert.Equal(HttpStatusCode.Forbidden, (await Node.ClientAs(Roles.Team, teamId: "D01").PostAsync("/api/v1/eido", JsonBody("{}"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Node.ClientAs(Roles.Viewer).PostAsync("/api/v1/eido", JsonBody("{}"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Node.Http.PostAsync("/api/v1/eido", JsonBody("{}"))).StatusCode);
    }
}
