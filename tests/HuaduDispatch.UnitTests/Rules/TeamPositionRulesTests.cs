using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Dispatch.Rules;

namespace HuaduDispatch.UnitTests.Rules;

public sealed class TeamPositionRulesTests
{
    private static readonly GeoPoint Home = new() { Lat = 23.397, Lon = 113.259 }; // D01's base in Xiuquan

    [Theory]
    [InlineData(23.40, 113.22)] // in the district
    [InlineData(23.69, 113.06)] // Qingyuan, mutual aid to the north
    [InlineData(22.27, 114.16)] // Hong Kong, about 150 km
    [InlineData(21.20, 110.40)] // Zhanjiang, the far west of Guangdong, about 380 km
    public void Positions_a_team_can_be_at_are_accepted(double lat, double lon) => TeamPositionRules.Check(Home, lat, lon, "lat");

    [Theory]
    [InlineData(0, 0)] // a radio without a GPS fix
    [InlineData(31.23, 121.47)] // Shanghai, about 1,200 km
    [InlineData(-23.397, -113.259)] // both signs lost
    public void A_position_far_from_home_is_refused_naming_the_field(double lat, double lon)
    {
        var e = Assert.Throws<DomainException>(() => TeamPositionRules.Check(Home, lat, lon, "position"));
        Assert.Equal("position", e.Field);
        Assert.Contains("home base", e.Reason);
    }
}
