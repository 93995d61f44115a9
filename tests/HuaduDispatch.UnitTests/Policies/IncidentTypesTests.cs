using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Dispatch;

namespace HuaduDispatch.UnitTests.Policies;

public sealed class IncidentTypesTests
{
    [Fact]
    public void Every_incident_type_has_a_category()
    {
        foreach (var type in Enum.GetValues<IncidentType>())
        {
            Assert.True(Enum.IsDefined(IncidentTypes.CategoryOf(type)), $"{type}");
        }
    }

    [Fact]
    public void Categories_follow_the_four_national_categories()
    {
        var expected = new Dictionary<IncidentCategory, IncidentType[]>
        {
            [IncidentCategory.NaturalDisaster] = [IncidentType.Typhoon, IncidentType.Rainstorm, IncidentType.Waterlogging, IncidentType.Flood,
                IncidentType.Landslide, IncidentType.GroundCollapse, IncidentType.ForestFire],
            [IncidentCategory.AccidentDisaster] = [IncidentType.BuildingFire, IncidentType.IndustrialFire, IncidentType.HazmatLeak,
                IncidentType.GasLeak, IncidentType.RoadTrafficAccident, IncidentType.ConstructionAccident, IncidentType.ConfinedSpace,
                IncidentType.WaterRescue, IncidentType.Other],
            [IncidentCategory.PublicHealth] = [IncidentType.PublicHealth],
            [IncidentCategory.SocialSafety] = [IncidentType.MassGathering, IncidentType.SocialSafety],
        };
        Assert.Equal(Enum.GetValues<IncidentType>().Length, expected.Values.Sum(v => v.Length));
        foreach (var type in Enum.GetValues<IncidentType>())
        {
            var category = Assert.Single(expected, e => e.Value.Contains(type)).Key;
            Assert.Equal(category, IncidentTypes.CategoryOf(type));
        }
    }

    [Fact]
    public void An_undefined_type_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => IncidentTypes.CategoryOf((IncidentType)999));
}
