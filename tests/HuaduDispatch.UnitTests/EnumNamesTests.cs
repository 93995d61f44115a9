using HuaduDispatch.Contracts;

namespace HuaduDispatch.UnitTests;

public sealed class EnumNamesTests
{
    [Theory]
    [InlineData("Flood", true, IncidentType.Flood)]
    [InlineData(" flood ", true, IncidentType.Flood)]
    [InlineData("FLOOD", true, IncidentType.Flood)]
    [InlineData("3", false, default(IncidentType))]
    [InlineData("Flood,Typhoon", false, default(IncidentType))]
    [InlineData("", false, default(IncidentType))]
    [InlineData(null, false, default(IncidentType))]
    [InlineData("Floods", false, default(IncidentType))]
    public void Only_a_single_member_name_is_read(string? text, bool ok, IncidentType expected)
    {
        Assert.Equal(ok, EnumNames.TryParse<IncidentType>(text, out var parsed));
        Assert.Equal(expected, parsed);
    }
}
