using HuaduDispatch.Silo.Hosting;
using Microsoft.Extensions.Configuration;

namespace HuaduDispatch.UnitTests;

public sealed class DefaultPlacementSettingTests
{
    private static DispatchSettings From(string? placement) => DispatchSettings.From(new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?> { ["Orleans:DefaultPlacement"] = placement }).Build());

    [Fact]
    public void The_default_placement_is_Orleans_own_unless_one_of_the_known_names_is_set_and_an_unknown_one_stops_the_node()
    {
        Assert.Equal("ResourceOptimized", From(null).DefaultPlacement);
        Assert.Equal("PreferLocal", From(" preferlocal ").DefaultPlacement);
        Assert.Equal("Random", From("Random").DefaultPlacement);
        var e = Assert.Throws<InvalidOperationException>(() => From("Nearest"));
        Assert.Contains("Orleans:DefaultPlacement 'Nearest' is not one of ResourceOptimized, Random, PreferLocal", e.Message);
    }
}
