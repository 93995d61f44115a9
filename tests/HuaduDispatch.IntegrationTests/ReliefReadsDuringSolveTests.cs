using System.Net;
using System.Net.Http.Json;
using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Relief;
using HuaduDispatch.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace HuaduDispatch.IntegrationTests;

/// <summary>
/// Reading the relief plan while a re-plan solves (which takes up to the solve's budget, 3 s by default, and longer on a busy
/// node): the plan, the KPIs and a console's district snapshot answer at once, from the plan in force, and do not wait for it.
/// </summary>
public sealed class ReliefReadsDuringSolveTests
{
    /// <summary>Holds the solve that starts while <see cref="Holding"/> is set until <see cref="Open"/> is set.</summary>
    private sealed class SolveGate
    {
        public readonly ManualResetEventSlim Open = new(true);
        public readonly SemaphoreSlim Entered = new(0);
        public volatile bool Holding;
    }

    /// <summary>The real planner, behind the gate.</summary>
    private sealed class GatedPlanner(SolveGate gate, IReliefPlanner inner) : IReliefPlanner
    {
        public ReliefPlanResult Plan(IReadOnlyList<ReliefDemandInput> demands, IReadOnlyList<ReliefWarehouse> warehouses,
            IReadOnlyDictionary<string, ReliefItemSpec> items, DateTimeOffset now, IReadOnlyList<ReliefLoad>? inForce = null)
        {
            if (gate.Holding)
            {
                gate.Entered.Release();
                gate.Open.Wait(TimeSpan.FromSeconds(90));
            }
            return inner.Plan(demands, warehouses, items, now, inForce);
        }
    }

    [Fact]
    public async Task The_plan_the_KPIs_and_a_district_snapshot_answer_from_the_plan_in_force_while_a_re_plan_solves()
    {
        var gate = new SolveGate();
        await using var node = await DispatchNode.StartAsync(connectionString: null,
            services: s => s.AddSingleton<IReliefPlanner>(sp => new GatedPlanner(gate, ActivatorUtilities.CreateInstance<OptimalReliefPlanner>(sp))));
        var dispatcher = node.ClientAs(Roles.Dispatcher);
        var created = await dispatcher.PostAsJsonAsync("/api/v1/incidents", new
        {
            type = "Rainstorm", title = "Waterlogged village, Xinhua", location = new { lat = 23.40, lon = 113.22 },
            occurredAt = DateTimeOffset.UtcNow.AddMinutes(-10), source = "hotline", assessment = new { affected = 200 },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var incident = (await created.Content.ReadFromJsonAsync<Incident>(DispatchJson.Options))!;
        var inForce = await dispatcher.WaitForReliefPlan(p => p.Demands == 1 && p.PeopleCovered == 200);

        // The next solve is held: a dispatcher asks for a re-plan, and it waits in the solve.
        gate.Open.Reset();
        gate.Holding = true;
        var replan = dispatcher.PostAsync("/api/v1/relief/plan", null);
        try
        {
            Assert.True(await gate.Entered.WaitAsync(TimeSpan.FromSeconds(30)), "the re-plan never reached the solve");

            await using var console = await HubClient.ConnectAsync(node, "/hubs/dispatch", DispatchNode.Token(Roles.Dispatcher));
            var plan = dispatcher.GetOk<ReliefPlan>("/api/v1/relief/plan");
            var kpi = dispatcher.GetOk<ReliefKpi>("/api/v1/kpi/relief");
            var snapshot = console.Connection.InvokeAsync<ScopeSnapshot>("Subscribe", "district");
            var reads = Task.WhenAll(plan, kpi, snapshot);
            // A bound for a read that waits for the solve, which stays held well beyond it: not a measure of speed.
            Assert.True(await Task.WhenAny(reads, Task.Delay(TimeSpan.FromSeconds(20))) == reads, "the reads waited for the held solve");
            Assert.False(replan.IsCompleted, "the solve was not held while the reads ran");

            Assert.Equal((inForce.PlanId, 200), ((await plan).PlanId, (await plan).PeopleCovered));
            Assert.Contains((await kpi).Incidents, i => i.IncidentId == incident.Id);
            var summary = (await snapshot).Entities.Single(e => e.Kind == DeltaKinds.ReliefPlan);
            Assert.Equal(inForce.PlanId, HubClient.Data<ReliefPlanSummary>(summary).PlanId);
        }
        finally
        {
            gate.Holding = false;
            gate.Open.Set();
        }
        var answered = await replan;
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.True((await answered.Content.ReadFromJsonAsync<ReliefPlan>(DispatchJson.Options))!.PlanId > inForce.PlanId);
    }
}
