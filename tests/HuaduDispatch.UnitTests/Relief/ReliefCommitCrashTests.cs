using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Relief;
using Orleans.Core.Internal;

namespace HuaduDispatch.UnitTests.Relief;

[Collection(FaultClusterFixture.Collection)]
public sealed class ReliefCommitCrashTests(FaultClusterFixture fixture) : IClassFixture<FaultClusterFixture>
{
    private IGrainFactory Grains => fixture.Cluster.GrainFactory;

    [Fact]
    public async Task A_commit_cut_short_after_reserving_leaves_no_stock_held_once_the_coordinator_plans_again_from_its_stored_state()
    {
        var codes = ReliefStandard.Default.Lines.Select(l => l.ItemCode).Distinct().ToList();
        var (coordinator, warehouse) = await ReliefFixtures.OneDepotBesideAnIncident(Grains, "INC-CRASH");

        // Plan 1 reserves the convoy's stock, then the convoy cannot be created.
        FaultClusterFixture.FailShipmentCreate = true;
        ReliefPlan? notCut = null;
        try
        {
            notCut = await coordinator.Replan();
        }
        catch (Exception e) when (e.ToString().Contains("injected", StringComparison.Ordinal))
        {
        }
        finally
        {
            FaultClusterFixture.FailShipmentCreate = false;
        }
        Assert.True(notCut is null, $"plan {notCut?.PlanId} for {notCut?.Demands} demand(s) committed {notCut?.Allocations.Count} allocation(s) without " +
            "creating a convoy; shortfalls: " + string.Join(", ", notCut?.Shortfalls.Select(s => $"{s.ItemCode} {s.Missing} {s.Reason} {s.Detail}") ?? []));
        var held = (await warehouse.Get())!.Stock.Sum(s => s.Reserved);
        Assert.True(held > 0, "the cut-short commit reserved stock before it stopped");
        Assert.Null(await Grains.GetGrain<IShipmentGrain>("SHP-1-INC-CRASH-WH-1").Get());

        // The coordinator comes back from its stored state (as after a crash) and plans again.
        await coordinator.AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        var plan = await coordinator.Replan();

        Assert.True(plan.PlanId > 1, $"plan ids are not reused: got {plan.PlanId}");
        Assert.NotEmpty(plan.Allocations);
        var reserved = (await warehouse.Get())!.Stock.ToDictionary(s => s.ItemCode, s => s.Reserved);
        var planned = plan.Allocations.GroupBy(a => a.ItemCode).ToDictionary(g => g.Key, g => g.Sum(a => a.Quantity));
        foreach (var code in codes)
            Assert.True(planned.GetValueOrDefault(code) == reserved.GetValueOrDefault(code),
                $"{code}: {reserved.GetValueOrDefault(code)} reserved, but the plan's convoys hold {planned.GetValueOrDefault(code)}");
    }

    /// <summary>
    /// A commit cut short right after it amended a convoy leaves the convoy naming that plan's number, so the number is stored
    /// before the amendment: the next plan takes another. Until the thirty-first session the next plan took the same number
    /// (the relief tester's F3, a node killed mid-commit on a cluster), and the convoy named a plan that never was.
    /// </summary>
    [Fact]
    public async Task A_commit_cut_short_after_amending_a_convoy_does_not_give_its_plan_number_to_the_next_plan()
    {
        var (coordinator, _) = await ReliefFixtures.OneDepotBesideAnIncident(Grains, "INC-AMEND-CRASH");
        var first = await coordinator.Replan();
        var convoy = Assert.Single(first.Allocations.Where(a => a.IncidentId == "INC-AMEND-CRASH").Select(a => a.ShipmentId).Distinct());

        // More people: the next plan amends the convoy on the same route, then stops.
        await Grains.GetGrain<IReliefDemandGrain>("INC-AMEND-CRASH").Update(new ReliefDemandUpdate
        {
            Type = IncidentType.Flood, Location = new GeoPoint { Lat = 23.401, Lon = 113.221 }, OccurredAt = DateTimeOffset.UtcNow,
            Affected = 40, Relocated = 0, Priority = 2, Open = true, AreaId = "xinhua",
        }, new Actor { Subject = "dispatcher-wang", Role = Roles.Dispatcher });
        FaultClusterFixture.FailAfterShipmentAmend = true;
        try
        {
            await Assert.ThrowsAnyAsync<Exception>(() => coordinator.Replan());
            var amended = (await Grains.GetGrain<IShipmentGrain>(convoy).Get())!;
            Assert.True(amended.PlanId > first.PlanId, "the cut-short commit amended the convoy");
        }
        finally
        {
            FaultClusterFixture.FailAfterShipmentAmend = false;
            FailingWrites.Stop();
        }
        var amendedBy = (await Grains.GetGrain<IShipmentGrain>(convoy).Get())!.PlanId;

        // The coordinator comes back from what it stored (its failed writes restarted it, as a node's death would).
        await coordinator.AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        var next = await coordinator.Replan();
        Assert.True(next.PlanId > amendedBy, $"the next plan is {next.PlanId}, the number the cut-short one gave convoy {convoy} ({amendedBy})");

        // The depot's trucks are shared with the other tests of this cluster: the incident closes and its convoy is withdrawn.
        await Grains.GetGrain<IReliefDemandGrain>("INC-AMEND-CRASH").Update(new ReliefDemandUpdate
        {
            Type = IncidentType.Flood, Location = new GeoPoint { Lat = 23.401, Lon = 113.221 }, OccurredAt = DateTimeOffset.UtcNow,
            Affected = 40, Relocated = 0, Priority = 2, Open = false, AreaId = "xinhua",
        }, new Actor { Subject = "dispatcher-wang", Role = Roles.Dispatcher });
        await coordinator.Replan();
    }

    /// <summary>
    /// A plan that creates and amends no convoy (only its shortfalls change) is cut short while the reliefs are told of it: a
    /// relief keeps its shortfall alert naming the plan, and the next plan takes another number. Until the thirty-second session
    /// the number was stored only with a convoy created or amended, and the next plan took the same one (the second verifier's
    /// L1: two plans with one number in the alert feed).
    /// </summary>
    [Fact]
    public async Task A_commit_cut_short_while_reliefs_are_told_of_a_shortfall_only_plan_does_not_give_its_number_to_the_next_plan()
    {
        var dispatcher = new Actor { Subject = "dispatcher-wang", Role = Roles.Dispatcher };
        var (coordinator, _) = await ReliefFixtures.OneDepotBesideAnIncident(Grains, "INC-SEQ-CRASH");
        var relief = Grains.GetGrain<IReliefDemandGrain>("INC-SEQ-CRASH");
        // The road from the only depot is cut: every plan leaves the incident short and creates no convoy for it.
        await relief.AvoidWarehouse("WH-1", "road cut at the bridge", null, dispatcher);
        var first = await coordinator.Replan();
        Assert.DoesNotContain(first.Allocations, a => a.IncidentId == "INC-SEQ-CRASH");

        // More people: the next plan's shortfall differs (a new alert naming it), and the node stops once the relief has it.
        await relief.Update(new ReliefDemandUpdate
        {
            Type = IncidentType.Flood, Location = new GeoPoint { Lat = 23.401, Lon = 113.221 }, OccurredAt = DateTimeOffset.UtcNow,
            Affected = 40, Relocated = 0, Priority = 2, Open = true, AreaId = "xinhua",
        }, dispatcher);
        FaultClusterFixture.FailAfterApplyPlanOf = "INC-SEQ-CRASH";
        try
        {
            await Assert.ThrowsAnyAsync<Exception>(() => coordinator.Replan());
        }
        finally
        {
            FaultClusterFixture.FailAfterApplyPlanOf = null;
            FailingWrites.Stop();
        }
        var told = (await relief.GetAlerts()).Last(a => a.Kind == ReliefAlertKind.Shortfall).Text;
        var cutShort = long.Parse(told["plan ".Length..told.IndexOf(':', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(cutShort > first.PlanId, $"the relief was told of the cut-short plan: {told}");

        await coordinator.AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        var next = await coordinator.Replan();
        Assert.True(next.PlanId > cutShort, $"the next plan is {next.PlanId}, the number the relief's alert gives the cut-short one ({told})");

        // The incident closes, so that the other tests of this cluster plan without it.
        await relief.Update(new ReliefDemandUpdate
        {
            Type = IncidentType.Flood, Location = new GeoPoint { Lat = 23.401, Lon = 113.221 }, OccurredAt = DateTimeOffset.UtcNow,
            Affected = 40, Relocated = 0, Priority = 2, Open = false, AreaId = "xinhua",
        }, dispatcher);
        await coordinator.Replan();
    }

    [Fact]
    public async Task A_plan_the_warehouses_cannot_carry_out_is_not_committed_and_the_failure_says_why()
    {
        var (coordinator, warehouse) = await ReliefFixtures.OneDepotBesideAnIncident(Grains, "INC-BROKEN");
        // The depot is shared with the other tests of this cluster: what it holds for them must not move.
        var reservedBefore = (await warehouse.Get())!.Stock.Sum(s => s.Reserved);

        FaultClusterFixture.BreakPlans = true;
        try
        {
            await Assert.ThrowsAnyAsync<Exception>(() => coordinator.Replan());
        }
        finally
        {
            FaultClusterFixture.BreakPlans = false;
        }
        var failure = await coordinator.GetSolveFailure();
        Assert.NotNull(failure);
        Assert.Contains("cannot be carried out", failure.Error, StringComparison.Ordinal);
        Assert.Equal(ReliefSolveFailure.Stages.Solve, failure.Stage);
        Assert.Equal(reservedBefore, (await warehouse.Get())!.Stock.Sum(s => s.Reserved)); // nothing reserved, nothing released
        Assert.DoesNotContain((await Grains.GetGrain<IReliefDemandGrain>("INC-BROKEN").Get())!.Shipments, s => s.Status == ShipmentStatus.Planned);

        // The planner mended, the next plan goes out.
        var plan = await coordinator.Replan();
        Assert.Contains(plan.Allocations, a => a.IncidentId == "INC-BROKEN");
        Assert.Contains((await Grains.GetGrain<IReliefDemandGrain>("INC-BROKEN").Get())!.Shipments, s => s.Status == ShipmentStatus.Planned);
    }
}
