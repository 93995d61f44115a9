using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Relief.Grains;
using Orleans.Core.Internal;

namespace HuaduDispatch.UnitTests.Relief;

/// <summary>
/// A re-plan that fails after its solve (the commit) is retried like a failed solve: the failure is recorded with its stage,
/// the durable retry reminder is set, its tick makes the plan, and the plan removes the reminder. Also when the failure could
/// not even be stored because the coordinator's storage failed.
/// </summary>
[Collection(FaultClusterFixture.Collection)]
public sealed class ReliefReplanRetryTests(FaultClusterFixture fixture) : IClassFixture<FaultClusterFixture>
{
    private const string RetryReminder = "replan-after-failure";
    private IGrainFactory Grains => fixture.Cluster.GrainFactory;

    private async Task<ReminderEntry?> Retry(IReliefCoordinatorGrain coordinator) =>
        await fixture.Reminders.ReadRow(((GrainReference)coordinator).GrainId, RetryReminder);

    /// <summary>What the reminder service does when the retry is due.</summary>
    private static Task Tick(IReliefCoordinatorGrain coordinator) =>
        coordinator.AsReference<IRemindable>().ReceiveReminder(RetryReminder, default);

    private async Task AssertReservedAsPlanned(IWarehouseGrain warehouse, ReliefPlan plan)
    {
        var reserved = (await warehouse.Get())!.Stock.Where(s => s.Reserved > 0).ToDictionary(s => s.ItemCode, s => s.Reserved);
        var planned = plan.Allocations.GroupBy(a => a.ItemCode).ToDictionary(g => g.Key, g => g.Sum(a => a.Quantity));
        Assert.Equal(planned.OrderBy(p => p.Key), reserved.OrderBy(r => r.Key));
    }

    [Fact]
    public async Task A_commit_that_fails_is_recorded_with_its_stage_and_the_reminders_tick_makes_the_plan_and_removes_the_reminder()
    {
        var (coordinator, warehouse) = await ReliefFixtures.OneDepotBesideAnIncident(Grains, "INC-COMMIT-RETRY");
        var before = await coordinator.GetPlan(); // the other test's, when it ran first on this cluster

        FaultClusterFixture.FailShipmentCreate = true;
        ReliefPlanningFailedException failed;
        try
        {
            failed = await Assert.ThrowsAsync<ReliefPlanningFailedException>(() => coordinator.Replan());
        }
        finally
        {
            FaultClusterFixture.FailShipmentCreate = false;
        }
        Assert.Equal(ReliefSolveFailure.Stages.Commit, failed.Failure.Stage);
        Assert.Contains("injected", failed.Failure.Error);
        Assert.Equal(1, failed.Failure.Attempts);
        Assert.StartsWith("committing the solved relief plan failed", failed.Message);
        Assert.Equal(failed.Failure, await coordinator.GetSolveFailure());
        Assert.NotNull(await Retry(coordinator));
        Assert.Equal(before?.PlanId, (await coordinator.GetPlan())?.PlanId); // no new plan was stored

        await Tick(coordinator);

        var plan = (await coordinator.GetPlan())!;
        Assert.NotNull(plan);
        Assert.Null(plan.LastSolveFailure);
        Assert.Null(await coordinator.GetSolveFailure());
        Assert.NotEmpty(plan.Allocations);
        Assert.Null(await Retry(coordinator));
        // The cut-short commit's reservation was given back: what is held is what the plan's convoys carry.
        await AssertReservedAsPlanned(warehouse, plan);

        // A later tick (one already on its way when the plan was made) only plans again: nothing is held twice.
        await Tick(coordinator);
        var again = (await coordinator.GetPlan())!;
        Assert.True(again.PlanId > plan.PlanId);
        await AssertReservedAsPlanned(warehouse, again);
    }

    [Fact]
    public async Task A_commit_that_fails_because_the_coordinators_storage_fails_is_still_retried_after_the_restart()
    {
        var (coordinator, warehouse) = await ReliefFixtures.OneDepotBesideAnIncident(Grains, "INC-STORE-RETRY");
        var before = await coordinator.GetPlan();

        // Every write of the coordinator fails: the convoys' ids, and then the failure itself, are not stored.
        await FailingWrites.Refused("relief-coordinator", () => coordinator.Replan());
        var stored = await fixture.Stored<ReliefCoordinatorState>("relief-coordinator", ((GrainReference)coordinator).GrainId);
        Assert.Null(stored?.Failure);
        Assert.NotNull(await Retry(coordinator)); // the reminder was set before the write was tried

        await Tick(coordinator); // due after the activation dropped: a fresh one, from the stored state

        var plan = (await coordinator.GetPlan())!;
        Assert.True(plan.PlanId > (before?.PlanId ?? 0));
        Assert.NotEmpty(plan.Allocations);
        Assert.Null(await Retry(coordinator));
        await AssertReservedAsPlanned(warehouse, plan);
    }
}
