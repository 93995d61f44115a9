using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Relief;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace HuaduDispatch.UnitTests.Relief;

/// <summary>
/// A cluster whose relief planner takes 150 ms per solve (as a surge's solve takes seconds), with a 20 ms debounce and the
/// planner's share of the time at a quarter: after each solve, re-plans asked for by changes wait three times as long as it took.
/// </summary>
public sealed class PacedReplanFixture : IAsyncLifetime
{
    public static readonly TimeSpan Solve = TimeSpan.FromMilliseconds(150);

    public TestCluster Cluster { get; private set; } = null!;

    private sealed class Configurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            silo.AddTestDomain(new Dictionary<string, string?>
            {
                ["Relief:ReplanDebounce"] = "00:00:00.020",
                ["Relief:PlannerShare"] = "0.25",
            });
            silo.Services.AddSingleton<IReliefPlanner>(sp =>
                new BeforeEachSolve(ActivatorUtilities.CreateInstance<OptimalReliefPlanner>(sp), _ => Thread.Sleep(Solve)));
        }
    }

    public async Task InitializeAsync() => Cluster = await TestClusters.Deploy<Configurator>();

    public async Task DisposeAsync() => await Cluster.StopAllSilosAsync();
}

public sealed class ReliefPacingTests(PacedReplanFixture fixture) : IClassFixture<PacedReplanFixture>
{
    [Fact]
    public async Task Changes_asking_for_re_plans_without_pause_are_planned_at_the_planners_share_and_the_last_one_is_still_planned()
    {
        var grains = fixture.Cluster.GrainFactory;
        var (coordinator, _) = await ReliefFixtures.OneDepotBesideAnIncident(grains, "INC-PACE");
        var first = await coordinator.Replan(); // asked for explicitly: never paced

        // Two seconds of changes, each asking for a re-plan. Unpaced, each 20 ms debounce would start another 150 ms solve (twelve
        // plans on a quiet machine); at a quarter of the time each solve is followed by a pause of three times its length, at least
        // 450 ms, so at most four plans start by the last change, and one more plans it. A busy machine only makes solves longer.
        var asking = System.Diagnostics.Stopwatch.StartNew();
        DateTimeOffset lastAsk;
        do
        {
            lastAsk = DateTimeOffset.UtcNow; // taken before the ask is sent: a plan that starts later may cover it
            await coordinator.RequestReplan();
            await Task.Delay(25);
        }
        while (asking.Elapsed < TimeSpan.FromSeconds(2));

        // The last change is planned too: a plan starts after it, once its pause is over (on a loaded machine a solve, and so its
        // pause, takes longer). A plan's ComputedAt is when it started.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        ReliefPlan latest;
        while ((latest = (await coordinator.GetPlan())!).ComputedAt < lastAsk)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"no plan started after the last change within 30 s (plan {latest.PlanId} at {latest.ComputedAt:O}; " +
                    $"the last failure: {await coordinator.GetSolveFailure()})");
            await Task.Delay(20);
        }
        await Task.Delay(1000); // nothing else was asked for: no more plans come
        var automatic = (await coordinator.GetPlan())!.PlanId - first.PlanId;

        Assert.InRange(automatic, 1, 5);
    }
}
