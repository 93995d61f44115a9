using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HuaduDispatch.Contracts;

namespace HuaduDispatch.IntegrationTests;

/// <summary>The GeoJSON map layers through the real HTTP API, checked against RFC 7946 here in the test.</summary>
public sealed class GeoJsonTests(EmbeddedNodeFixture fixture) : IClassFixture<EmbeddedNodeFixture>
{
    private static readonly string[] Layers = ["incidents", "teams", "warehouses", "shelters", "risk-points", "hazard-points"];

    // Huadu District, with a margin (the shipped reference data spans lon 113.005..113.435, lat 23.292..23.604).
    private const double MinLon = 112.9, MaxLon = 113.5, MinLat = 23.2, MaxLat = 23.7;

    private async Task<JsonElement> Layer(HttpClient client, string layer, string query = "")
    {
        var response = await client.GetAsync($"/api/v1/map/{layer}{query}");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{layer}: {(int)response.StatusCode} {text}");
        Assert.Equal("application/geo+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(text).RootElement;
    }

    /// <summary>RFC 7946: a FeatureCollection of Features with Point geometries, [lon, lat] numbers, no crs, unique ids.</summary>
    private static List<JsonElement> AssertRfc7946Points(JsonElement collection, string layer)
    {
        Assert.Equal("FeatureCollection", collection.GetProperty("type").GetString());
        Assert.False(collection.TryGetProperty("crs", out _), $"{layer}: RFC 7946 removed the crs member");
        var features = collection.GetProperty("features").EnumerateArray().ToList();
        var ids = new HashSet<string>();
        foreach (var feature in features)
        {
            Assert.Equal("Feature", feature.GetProperty("type").GetString());
            Assert.False(feature.TryGetProperty("crs", out _));
            var id = feature.GetProperty("id");
            Assert.Equal(JsonValueKind.String, id.ValueKind);
            Assert.True(ids.Add(id.GetString()!), $"{layer}: duplicate id {id}");
            var geometry = feature.GetProperty("geometry");
            Assert.Equal("Point", geometry.GetProperty("type").GetString());
            var coordinates = geometry.GetProperty("coordinates");
            Assert.Equal(2, coordinates.GetArrayLength());
            Assert.All(coordinates.EnumerateArray(), c => Assert.Equal(JsonValueKind.Number, c.ValueKind));
            var (lon, lat) = (coordinates[0].GetDouble(), coordinates[1].GetDouble());
            Assert.True(lon is >= MinLon and <= MaxLon && lat is >= MinLat and <= MaxLat, $"{layer} {id}: [{lon}, {lat}] is not [lon, lat] in Huadu");
            Assert.Equal(JsonValueKind.Object, feature.GetProperty("properties").ValueKind);
        }
        return features;
    }

    [Fact]
    public async Task Every_layer_is_an_rfc_7946_feature_collection_of_points_in_huadu()
    {
        var dispatcher = fixture.Node.ClientAs(Roles.Dispatcher);
        var created = await dispatcher.PostAsJsonAsync("/api/v1/incidents", new
        {
            type = "BuildingFire", title = "map test fire", description = "x", location = new { lat = 23.41, lon = 113.22 },
            occurredAt = DateTimeOffset.UtcNow.AddMinutes(-5), source = "hotline", assessment = new { dead = 12 },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var incident = (await created.Content.ReadFromJsonAsync<Incident>(DispatchJson.Options))!;

        var counts = new Dictionary<string, int>();
        foreach (var layer in Layers)
        {
            var features = AssertRfc7946Points(await Layer(dispatcher, layer), layer);
            Assert.NotEmpty(features);
            counts[layer] = features.Count;
        }
        Assert.Equal(26, counts["teams"]);
        Assert.Equal(139, counts["shelters"]);
        Assert.Equal(151, counts["risk-points"]);

        var fire = (await Layer(dispatcher, "incidents")).GetProperty("features").EnumerateArray().Single(f => f.GetProperty("id").GetString() == incident.Id);
        var props = fire.GetProperty("properties");
        Assert.Equal(incident.ResponseLevel.ToString(), props.GetProperty("level").GetString());
        Assert.Equal(incident.ResponseLevel switch { ResponseLevel.I => "red", ResponseLevel.II => "orange", ResponseLevel.III => "yellow", _ => "blue" },
            props.GetProperty("colour").GetString());
        Assert.Equal(("BuildingFire", "Reported", "map test fire"), (props.GetProperty("type").GetString(), props.GetProperty("status").GetString(), props.GetProperty("title").GetString()));
        Assert.Equal((113.22, 23.41), (fire.GetProperty("geometry").GetProperty("coordinates")[0].GetDouble(), fire.GetProperty("geometry").GetProperty("coordinates")[1].GetDouble()));

        var team = (await Layer(dispatcher, "teams")).GetProperty("features")[0].GetProperty("properties");
        Assert.Equal(JsonValueKind.Array, team.GetProperty("capabilities").ValueKind);
        Assert.True(team.TryGetProperty("status", out _) && team.TryGetProperty("colour", out _) && team.TryGetProperty("name", out _));
        var shelter = (await Layer(dispatcher, "shelters")).GetProperty("features")[0].GetProperty("properties");
        Assert.Equal(JsonValueKind.Number, shelter.GetProperty("capacity").ValueKind);
        Assert.Equal(JsonValueKind.Number, shelter.GetProperty("occupancy").ValueKind);
        Assert.Contains(shelter.GetProperty("open").ValueKind, new[] { JsonValueKind.True, JsonValueKind.False });
        var warehouse = (await Layer(dispatcher, "warehouses")).GetProperty("features")[0].GetProperty("properties");
        Assert.True(warehouse.GetProperty("stockOnHand").GetInt64() > 0);
        Assert.True(warehouse.TryGetProperty("kind", out _));
    }

    [Fact]
    public async Task A_bbox_narrows_a_layer_and_a_malformed_one_is_400()
    {
        var viewer = fixture.Node.ClientAs(Roles.Viewer);
        var all = (await Layer(viewer, "shelters")).GetProperty("features").GetArrayLength();
        var west = AssertRfc7946Points(await Layer(viewer, "shelters", "?bbox=112.9,23.2,113.2,23.7"), "shelters west");
        Assert.InRange(west.Count, 1, all - 1);
        Assert.All(west, f => Assert.True(f.GetProperty("geometry").GetProperty("coordinates")[0].GetDouble() <= 113.2));

        var bad = await viewer.GetAsync("/api/v1/map/shelters?bbox=113.2,23.2");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True((await bad.ReadProblem()).GetProperty("errors").TryGetProperty("bbox", out _));
    }

    [Fact]
    public async Task An_unknown_layer_is_404_listing_the_layers()
    {
        var response = await fixture.Node.ClientAs(Roles.Team, teamId: "D01").GetAsync("/api/v1/map/volcanoes");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var problem = await response.ReadProblem();
        Assert.Equal(Layers, problem.GetProperty("layers").EnumerateArray().Select(l => l.GetString()));
        Assert.Contains("risk-points", problem.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.Node.Http.GetAsync("/api/v1/map/teams")).StatusCode);
    }

    [Fact]
    public async Task An_agency_sees_only_its_own_incidents_on_the_map_and_no_warehouses()
    {
        await fixture.Node.RegisterAgenciesAsync("map-agency");
        var agency = fixture.Node.ClientAs(Roles.Agency, agencyId: "map-agency");
        var own = await agency.PostAsJsonAsync("/api/v1/incidents", new
        {
            type = "GasLeak", title = "agency gas leak", description = "x", location = new { lat = 23.39, lon = 113.2 },
            occurredAt = DateTimeOffset.UtcNow.AddMinutes(-5),
        });
        Assert.Equal(HttpStatusCode.Created, own.StatusCode);
        var ownId = (await own.Content.ReadFromJsonAsync<Incident>(DispatchJson.Options))!.Id;
        var other = await fixture.Node.ClientAs(Roles.Dispatcher).PostAsJsonAsync("/api/v1/incidents", new
        {
            type = "GasLeak", title = "console gas leak", description = "x", location = new { lat = 23.38, lon = 113.21 },
            occurredAt = DateTimeOffset.UtcNow.AddMinutes(-5), source = "console",
        });
        Assert.Equal(HttpStatusCode.Created, other.StatusCode);

        var ids = AssertRfc7946Points(await Layer(agency, "incidents"), "incidents (agency)").Select(f => f.GetProperty("id").GetString()).ToList();
        Assert.Equal([ownId], ids);
        Assert.NotEmpty(AssertRfc7946Points(await Layer(agency, "teams"), "teams (agency)"));
        Assert.Equal(HttpStatusCode.Forbidden, (await agency.GetAsync("/api/v1/map/warehouses")).StatusCode);
    }
}
