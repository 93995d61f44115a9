using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Dispatch.Recommendation;
using static HuaduDispatch.UnitTests.Recommendation.RecommendationFixtures;

namespace HuaduDispatch.UnitTests.Recommendation;

public sealed class TravelTimeModelTests
{
    private static readonly GeoPoint Xinhua = P(23.40, 113.22);
    private static readonly GeoPoint Huadong = P(23.43, 113.40);

    [Fact]
    public void Distance_from_Xinhua_to_Huadong_is_about_18_7_km()
    {
        // Haversine with R = 6371.0088 km: Δφ = 0.03°, Δλ = 0.18° at 23.4°N → 18.667 km.
        Assert.Equal(18.667, TravelTimeModel.DistanceKm(Xinhua, Huadong), 0.002);
    }

    [Fact]
    public void One_degree_of_longitude_on_the_equator_is_the_mean_radius_times_pi_over_180()
    {
        Assert.Equal(6371.0088 * Math.PI / 180, TravelTimeModel.DistanceKm(P(0, 0), P(0, 1)), 1e-9);
    }

    [Fact]
    public void Eta_is_turnout_plus_road_distance_over_speed()
    {
        var eta = Travel.Eta(Xinhua, Huadong, IncidentType.BuildingFire);
        // 2 min + 18.667 km × 1.35 / 40 km/h = 2 + 37.80 min.
        Assert.Equal(2 + 18.66736 * 1.35 / 40 * 60, eta.TotalMinutes, 0.001);
    }

    [Fact]
    public void Zero_distance_takes_exactly_the_turnout_time()
    {
        var model = new TravelTimeModel(new TravelTimeOptions { Turnout = TimeSpan.FromSeconds(150) });
        Assert.Equal(0, TravelTimeModel.DistanceKm(Xinhua, Xinhua));
        Assert.Equal(TimeSpan.FromSeconds(150), model.Eta(Xinhua, Xinhua, IncidentType.Flood));
    }

    [Theory]
    [InlineData(IncidentType.Typhoon, 1.5)]
    [InlineData(IncidentType.Rainstorm, 1.4)]
    [InlineData(IncidentType.Waterlogging, 1.5)]
    [InlineData(IncidentType.Flood, 1.6)]
    [InlineData(IncidentType.Landslide, 1.3)]
    [InlineData(IncidentType.ForestFire, 1.2)]
    [InlineData(IncidentType.BuildingFire, 1.0)]
    [InlineData(IncidentType.GasLeak, 1.0)]
    public void Hazard_slowdown_multiplies_the_driving_time_but_not_the_turnout(IncidentType type, double factor)
    {
        var turnout = TimeSpan.FromMinutes(2);
        var clear = Travel.Eta(Xinhua, Huadong, IncidentType.Other) - turnout;
        var slowed = Travel.Eta(Xinhua, Huadong, type) - turnout;
        Assert.Equal(clear.TotalMinutes * factor, slowed.TotalMinutes, 1e-6);
    }

    [Fact]
    public void Custom_slowdown_table_replaces_the_defaults()
    {
        var model = new TravelTimeModel(new TravelTimeOptions { HazardSlowdown = new() { [IncidentType.GasLeak] = 2.0 } });
        var driving = model.Eta(Xinhua, Huadong, IncidentType.Other) - TimeSpan.FromMinutes(2);
        Assert.Equal(driving.TotalMinutes * 2, (model.Eta(Xinhua, Huadong, IncidentType.GasLeak) - TimeSpan.FromMinutes(2)).TotalMinutes, 1e-6);
        Assert.Equal(model.Eta(Xinhua, Huadong, IncidentType.Other), model.Eta(Xinhua, Huadong, IncidentType.Flood));
    }

    [Fact]
    public void Distance_and_eta_are_symmetric()
    {
        var rng = new Random(7);
        for (var i = 0; i < 200; i++)
        {
            var a = P(23.25 + rng.NextDouble() * 0.37, 112.95 + rng.NextDouble() * 0.52);
            var b = P(23.25 + rng.NextDouble() * 0.37, 112.95 + rng.NextDouble() * 0.52);
            Assert.Equal(TravelTimeModel.DistanceKm(a, b), TravelTimeModel.DistanceKm(b, a));
            Assert.Equal(Travel.Eta(a, b, IncidentType.Typhoon), Travel.Eta(b, a, IncidentType.Typhoon));
        }
    }

    [Fact]
    public void Nonsense_options_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new TravelTimeModel(new TravelTimeOptions { SpeedKmh = 0 }));
        Assert.Throws<ArgumentException>(() => new TravelTimeModel(new TravelTimeOptions { RoadFactor = double.NaN }));
        Assert.Throws<ArgumentException>(() => new TravelTimeModel(new TravelTimeOptions { Turnout = TimeSpan.FromMinutes(-1) }));
        Assert.Throws<ArgumentException>(() =>
            new TravelTimeModel(new TravelTimeOptions { HazardSlowdown = new() { [IncidentType.Flood] = 0 } }));
    }
}
