using HuaduDispatch.Contracts;

namespace HuaduDispatch.UnitTests;

/// <summary>GrainRefs.Grain&lt;T&gt;(key) makes the same references as IGrainFactory.GetGrain&lt;T&gt;(key), on its first and later calls.</summary>
public sealed class GrainRefsTests(TestClusterFixture fixture) : IClassFixture<TestClusterFixture>
{
    [Fact]
    public async Task Cached_references_address_the_same_grain_with_the_same_interface_as_GetGrain()
    {
        var grains = fixture.Cluster.GrainFactory;
        foreach (var key in new[] { "S-REF-1", "S-REF-2", "a key with spaces and 中文" })
        {
            var expected = (GrainReference)(object)grains.GetGrain<IShelterGrain>(key);
            var actual = (GrainReference)(object)grains.Grain<IShelterGrain>(key);
            Assert.Equal(expected.GrainId, actual.GrainId);
            Assert.Equal(expected.InterfaceType, actual.InterfaceType);
            Assert.Equal(key, actual.GetPrimaryKeyString());
        }

        // Another interface keeps its own types, and the reference works: a shelter defined through one is read through the other.
        var incident = (GrainReference)(object)grains.Grain<IIncidentGrain>("S-REF-1");
        Assert.Equal(((GrainReference)(object)grains.GetGrain<IIncidentGrain>("S-REF-1")).GrainId, incident.GrainId);
        Assert.NotEqual(((GrainReference)(object)grains.Grain<IShelterGrain>("S-REF-1")).GrainId, incident.GrainId);
        await grains.Grain<IShelterGrain>("S-REF-9").ApplyDefinition(new Shelter
        {
            Id = "S-REF-9", NameZh = "S", NameEn = "S", Kind = ShelterKind.School, AreaId = "xinhua", Position = new GeoPoint { Lat = 23.4, Lon = 113.2 },
            Capacity = 10, FloorAreaM2 = 20,
        });
        Assert.Equal(10, (await grains.GetGrain<IShelterGrain>("S-REF-9").Get())!.Capacity);
    }
}
