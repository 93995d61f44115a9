using System.Text.Json;
using HuaduDispatch.Api.Standards.GeoJson;
using HuaduDispatch.Contracts;

namespace HuaduDispatch.UnitTests.Standards;

public sealed class GeoJsonBuilderTests
{
    private static readonly DateTimeOffset T0 = new(2026, 6, 1, 8, 30, 0, TimeSpan.FromHours(8));

    private static IncidentSummary Summary(string id, ResponseLevel level, double lat, double lon, string source = "hotline") => new()
    {
        Id = id, Type = IncidentType.Flood, Category = IncidentCategory.NaturalDisaster, Status = IncidentStatus.Reported, ResponseLevel = level,
        Title = $"flood {id}", AreaId = "xinhua", Lat = lat, Lon = lon, OccurredAt = T0, UpdatedAt = T0, AssignedTeams = 0, Version = 1, Source = source,
    };

    private static RescueTeam Team(string id, TeamStatus status, string? incidentId) => new()
    {
        Id = id, NameZh = "队", NameEn = $"Team {id}", Level = TeamLevel.Town, AreaId = "xinhua", Capabilities = [Capability.WaterRescue],
        Members = 10, HomeBase = new GeoPoint { Lat = 23.4, Lon = 113.2 }, Status = status, StatusChangedAt = T0,
        Position = new TeamPosition { Lat = 23.41, Lon = 113.21, At = T0 }, IncidentId = incidentId,
    };

    private static JsonElement Json(object value) => JsonSerializer.SerializeToElement(value, DispatchJson.Options);

    [Fact]
    public void Incidents_are_points_in_lon_lat_order_coloured_by_level()
    {
        var collection = GeoJsonBuilder.ForIncidents(
        [
            Summary("A", ResponseLevel.I, 23.40, 113.20), Summary("B", ResponseLevel.II, 23.41, 113.21),
            Summary("C", ResponseLevel.III, 23.42, 113.22), Summary("D", ResponseLevel.IV, 23.43, 113.23),
        ]);
        var json = Json(collection);
        Assert.Equal("FeatureCollection", json.GetProperty("type").GetString());
        Assert.False(json.TryGetProperty("crs", out _));
        var features = json.GetProperty("features").EnumerateArray().ToList();
        Assert.Equal(4, features.Count);
        var a = features.Single(f => f.GetProperty("id").GetString() == "A");
        Assert.Equal("Feature", a.GetProperty("type").GetString());
        Assert.Equal("Point", a.GetProperty("geometry").GetProperty("type").GetString());
        var coordinates = a.GetProperty("geometry").GetProperty("coordinates");
        Assert.Equal(JsonValueKind.Number, coordinates[0].ValueKind);
        Assert.Equal((113.20, 23.40), (coordinates[0].GetDouble(), coordinates[1].GetDouble()));
        Assert.Equal(["red", "orange", "yellow", "blue"],
            features.OrderBy(f => f.GetProperty("id").GetString()).Select(f => f.GetProperty("properties").GetProperty("colour").GetString()));
        var p = a.GetProperty("properties");
        Assert.Equal("I", p.GetProperty("level").GetString());
        Assert.Equal("Flood", p.GetProperty("type").GetString());
        Assert.Equal("NaturalDisaster", p.GetProperty("category").GetString());
        Assert.Equal("xinhua", p.GetProperty("areaId").GetString());
        Assert.Equal(T0, p.GetProperty("occurredAt").GetDateTimeOffset());
    }

    [Fact]
    public void Teams_carry_status_colour_and_capabilities_and_omit_a_missing_incident()
    {
        var json = Json(GeoJsonBuilder.ForTeams([Team("T1", TeamStatus.Available, null), Team("T2", TeamStatus.OnScene, "INC-1")]));
        var features = json.GetProperty("features").EnumerateArray().ToList();
        var free = features[0].GetProperty("properties");
        Assert.Equal("green", free.GetProperty("colour").GetString());
        Assert.False(free.TryGetProperty("incidentId", out _));
        Assert.Equal("WaterRescue", free.GetProperty("capabilities")[0].GetString());
        var busy = features[1].GetProperty("properties");
        Assert.Equal(("OnScene", "red", "INC-1"), (busy.GetProperty("status").GetString(), busy.GetProperty("colour").GetString(), busy.GetProperty("incidentId").GetString()));
        Assert.Equal(JsonValueKind.Number, busy.GetProperty("members").ValueKind);
    }

    [Fact]
    public void Shelters_carry_capacity_occupancy_and_open_as_json_numbers_and_booleans()
    {
        var shelter = new ShelterLive
        {
            Id = "S1", NameZh = "学校", NameEn = "School", Kind = ShelterKind.School, AreaId = "xinhua", Position = new GeoPoint { Lat = 23.3, Lon = 113.1 },
            Capacity = 500, FloorAreaM2 = 600, Occupancy = 120, Open = true, UpdatedAt = T0,
        };
        var p = Json(GeoJsonBuilder.ForShelters([shelter])).GetProperty("features")[0].GetProperty("properties");
        Assert.Equal((500, 120, 380), (p.GetProperty("capacity").GetInt32(), p.GetProperty("occupancy").GetInt32(), p.GetProperty("room").GetInt32()));
        Assert.Equal(JsonValueKind.True, p.GetProperty("open").ValueKind);
        Assert.Equal(JsonValueKind.False, p.GetProperty("closedByDispatcher").ValueKind);

        // A dispatcher closed it: no room, and it says why.
        var closed = Json(GeoJsonBuilder.ForShelters([shelter with { Open = false, Occupancy = 0, ClosedByDispatcher = true }])).GetProperty("features")[0].GetProperty("properties");
        Assert.Equal((0, JsonValueKind.True), (closed.GetProperty("room").GetInt32(), closed.GetProperty("closedByDispatcher").ValueKind));
    }

    [Fact]
    public void A_bbox_keeps_only_the_features_inside_it()
    {
        Assert.True(GeoBox.TryParse("113.0,23.3,113.25,23.5", out var box, out _));
        var collection = GeoJsonBuilder.ForIncidents([Summary("in", ResponseLevel.IV, 23.4, 113.2), Summary("out", ResponseLevel.IV, 23.4, 113.3)], box);
        Assert.Equal("in", Assert.Single(collection.Features).Id);
    }

    [Theory]
    [InlineData("113,23")]
    [InlineData("a,b,c,d")]
    [InlineData("113.3,23.3,113.0,23.5")]
    [InlineData("113.0,23.3,113.25,95")]
    [InlineData("113.0,23.3,113.25,NaN")]
    [InlineData("113.0,23.3,113.25,23.5,1")]
    public void A_malformed_bbox_is_refused_with_a_reason(string text)
    {
        Assert.False(GeoBox.TryParse(text, out var box, out var error));
        Assert.Null(box);
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void No_bbox_means_no_filter()
    {
        Assert.True(GeoBox.TryParse(null, out var box, out var error));
        Assert.Null(box);
        Assert.Null(error);
    }

    /// <summary>
    /// A merged incident is a duplicate of its survivor: the incidents layer leaves it out unless asked for by status, and then
    /// names its survivor (it was a second point, as if live, with nothing saying it was merged).
    /// </summary>
    [Fact]
    public void The_incidents_layer_leaves_merged_duplicates_out_unless_asked_and_names_their_survivor()
    {
        var survivor = Summary("SURV", ResponseLevel.III, 23.40, 113.20) with { Status = IncidentStatus.Responding };
        var duplicate = Summary("DUP", ResponseLevel.IV, 23.401, 113.201) with { Status = IncidentStatus.Merged, MergedInto = "SURV" };
        var closed = Summary("OLD", ResponseLevel.IV, 23.41, 113.21) with { Status = IncidentStatus.Closed };
        static List<string> Ids(GeoJsonFeatureCollection c) => [.. c.Features.Select(f => f.Id).Order()];

        Assert.Equal(["OLD", "SURV"], Ids(GeoJsonBuilder.ForIncidents([survivor, duplicate, closed])));
        var merged = GeoJsonBuilder.ForIncidents([survivor, duplicate, closed], status: IncidentStatus.Merged);
        var feature = Assert.Single(merged.Features);
        Assert.Equal(("DUP", "SURV", "Merged"), (feature.Id, feature.Properties["mergedInto"], feature.Properties["status"]));
        Assert.Equal(["SURV"], Ids(GeoJsonBuilder.ForIncidents([survivor, duplicate, closed], status: IncidentStatus.Responding)));
        Assert.False(GeoJsonBuilder.ForIncidents([survivor]).Features[0].Properties.ContainsKey("mergedInto"));
    }
}

