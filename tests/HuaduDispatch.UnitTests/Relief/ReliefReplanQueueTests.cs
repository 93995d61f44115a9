using HuaduDispatch.Contracts;

namespace HuaduDispatch.UnitTests.Relief;

/// <summary>
/// Re-plans asked for while one runs: the first queued runs once the running one is done, and those queued behind it share its
/// plan. Until the thirty-first session each ran a plan of its own, one after the other (in a surge the tenth console to press
/// the button waited 20 s: the relief tester's F5).
/// </summary>
[Collection(FaultClusterFixture.Collection)]
public sealed class ReliefReplanQueueTests(FaultClusterFixture fixture) : IClassFixture<FaultClusterFixture>
{
    private IGrainFactory Grains => fixture.Cluster.GrainFactory;

    [Fact]
    public async Task Re_plans_asked_for_during_one_share_the_plan_made_after_them()
    {
        var (coordinator, _) = await ReliefFixtures.OneDepotBesideAnIncident(Grains, "INC-QUEUE");
        var gate = new FaultClusterFixture.PlannerGate();
        FaultClusterFixture.HoldPlanner = gate;
        Task<ReliefPlan> running, second, third;
        try
        {
            running = coordinator.ReplanAsOf(DateTimeOffset.UtcNow);
            await gate.Entered.WaitAsync(TimeSpan.FromSeconds(10)); // the first is being solved
            second = coordinator.ReplanAsOf(DateTimeOffset.UtcNow);
            third = coordinator.ReplanAsOf(DateTimeOffset.UtcNow);
            await Task.Delay(200); // both are queued behind it
        }
        finally
        {
            FaultClusterFixture.HoldPlanner = null;
            gate.Release();
        }

        var (a, b, c) = (await running, await second, await third);
        Assert.True(b.PlanId > a.PlanId, "the second was asked after the running plan read its inputs: it plans again");
        Assert.Equal(b.PlanId, c.PlanId);
        Assert.True(b.ComputedAt >= a.ComputedAt);
    }
}
