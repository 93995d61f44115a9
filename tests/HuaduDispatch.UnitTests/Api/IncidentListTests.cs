using HuaduDispatch.Api.Dispatch;
using HuaduDispatch.Contracts;

namespace HuaduDispatch.UnitTests.Api;

/// <summary>GET /api/v1/incidents?areaId= on Orleans' in-process test cluster: only the catalogue's areas reach a board grain.</summary>
public sealed class IncidentListTests(TestClusterFixture fixture) : IClassFixture<TestClusterFixture>
{
    private static readonly Actor Dispatcher = new() { Subject = "dispatcher-wang", Role = Roles.Dispatcher };

    [Fact]
    public async Task An_areaId_the_catalogue_does_not_know_lists_nothing_and_activates_no_board_grain()
    {
        var grains = fixture.Cluster.GrainFactory;
        Assert.True((await grains.GetGrain<IReferenceDataGrain>(ReferenceData.GrainKey).Load(ReferenceDataValidatorTests.Minimal(), "list-test")).Applied);

        Assert.Empty(await IncidentApi.List(grains, Dispatcher, new IncidentFilter(), "made-up-area-7f3a"));
        Assert.Empty(await IncidentApi.List(grains, Dispatcher, new IncidentFilter(), "xinhua"));

        var boardType = ((GrainReference)(object)grains.GetGrain<IAreaBoardGrain>("xinhua")).GrainId.Type;
        var active = await grains.GetGrain<IManagementGrain>(0).GetActiveGrains(boardType);
        Assert.Contains(active, g => g.Key.ToString() == "xinhua");
        Assert.DoesNotContain(active, g => g.Key.ToString() == "made-up-area-7f3a");
    }
}
