using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Relief;
using HuaduDispatch.IntegrationTests.Infrastructure;
using HuaduDispatch.Silo.Schema;
using Microsoft.Extensions.DependencyInjection;

namespace HuaduDispatch.IntegrationTests;

/// <summary>
/// A relief solve that fails (the solver throws) on a PostgreSQL node: the API answers 503 with Retry-After, the previous plan
/// stays in force, and the coordinator plans again by itself once the solver works, with no other trigger.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ReliefSolveFailureTests(PostgresServer postgres)
{
    /// <summary>Whether the planner fails, and how often it was called.</summary>
    private sealed class PlannerSwitch
    {
        public volatile bool Failing;
        public int Calls;
    }

    /// <summary>The real planner, which throws instead while the switch says so (as OR-Tools does on an abnormal end).</summary>
    private sealed class SwitchablePlanner(PlannerSwitch control, IReliefPlanner inner) : IReliefPlanner
    {
        public ReliefPlanResult Plan(IReadOnlyList<ReliefDemandInput> demands, IReadOnlyList<ReliefWarehouse> warehouses,
            IReadOnlyDictionary<string, ReliefItemSpec> items, DateTimeOffset now, IReadOnlyList<ReliefLoad>? inForce = null)
        {
            Interlocked.Increment(ref control.Calls);
            if (control.Failing) throw new InvalidOperationException("injected: OR-Tools SCIP ended the coverage phase with status ABNORMAL");
            return inner.Plan(demands, warehouses, items, now, inForce);
        }
    }

    private static readonly TimeSpan Retry = TimeSpan.FromMilliseconds(400), RetryMax = TimeSpan.FromMilliseconds(800);

    /// <summary>A 503 problem for a failed solve: Retry-After, and the failure whose retry delay follows the doubling rule.</summary>
    private static async Task<(ReliefSolveFailure Failure, string Detail)> AssertSolveFailed(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(response.Headers.RetryAfter?.Delta);
        using var problem = JsonDocument.Parse(text);
        Assert.Equal("Relief planning failed", problem.RootElement.GetProperty("title").GetString());
        var failure = problem.RootElement.GetProperty("solveFailure").Deserialize<ReliefSolveFailure>(DispatchJson.Options)!;
        Assert.Contains("ABNORMAL", failure.Error);
        Assert.True(failure.Attempts >= 1);
        var expected = TimeSpan.FromTicks(Math.Min(RetryMax.Ticks, Retry.Ticks << Math.Min(failure.Attempts - 1, 20)));
        Assert.Equal(expected, failure.RetryAt - failure.At);
        return (failure, problem.RootElement.GetProperty("detail").GetString()!);
    }

    private static async Task<ReliefPlan> WaitForPlan(HttpClient client, Func<ReliefPlan, bool> ready)
    {
        var last = "";
        for (var i = 0; i < 300; i++)
        {
            var response = await client.GetAsync("/api/v1/relief/plan");
            last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            if (response.IsSuccessStatusCode && (await response.Content.ReadFromJsonAsync<ReliefPlan>(DispatchJson.Options))! is var plan && ready(plan))
                return plan;
            await Task.Delay(100);
        }
        throw new TimeoutException($"no such plan within 30 s; last answer: {last}");
    }

    private static Task<DispatchNode> StartNode(string cs, PlannerSwitch planner, IDictionary<string, string?>? settings = null) =>
        DispatchNode.StartAsync(cs,
            new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
            {
                ["Relief:ReplanRetry"] = Retry.ToString(), ["Relief:ReplanRetryMax"] = RetryMax.ToString(),
            },
            services: s => s.AddSingleton<IReliefPlanner>(sp => new SwitchablePlanner(planner, ActivatorUtilities.CreateInstance<OptimalReliefPlanner>(sp))));

    /// <summary>Reads the incident's relief (which plans nothing) until it has a convoy Planned, for at most 30 s.</summary>
    private static async Task<IncidentRelief> PlannedConvoys(HttpClient reader, string incidentId, string failure)
    {
        IncidentRelief? relief = null;
        for (var i = 0; i < 300 && relief?.Shipments.Any(s => s.Status == ShipmentStatus.Planned) != true; i++)
        {
            if (i > 0) await Task.Delay(100);
            relief = await reader.GetOk<IncidentRelief>($"/api/v1/incidents/{incidentId}/relief");
        }
        Assert.True(relief!.Shipments.Any(s => s.Status == ShipmentStatus.Planned), failure);
        return relief;
    }

    /// <summary>An incident with 200 affected people (50 of them relocated) beside the depots; returns its id.</summary>
    private static async Task<string> ReportFlood(HttpClient dispatcher)
    {
        var incident = await dispatcher.PostAsJsonAsync("/api/v1/incidents", new
        {
            type = "Rainstorm", title = "Waterlogged village, Xinhua", description = "flooded streets", location = new { lat = 23.40, lon = 113.22 },
            occurredAt = DateTimeOffset.UtcNow.AddMinutes(-10), source = "hotline", assessment = new { affected = 200, relocated = 50 },
        });
        Assert.True(incident.IsSuccessStatusCode, $"{(int)incident.StatusCode} {await incident.Content.ReadAsStringAsync()}");
        return (await incident.Content.ReadFromJsonAsync<Incident>(DispatchJson.Options))!.Id;
    }

    [Fact]
    public async Task A_failed_solve_answers_503_keeps_the_previous_plan_and_is_retried_until_a_plan_is_made()
    {
        var cs = await postgres.CreateDatabaseAsync();
        await new SchemaMigrator(cs).MigrateAsync();
        var planner = new PlannerSwitch { Failing = true };
        await using var node = await StartNode(cs, planner);
        var dispatcher = node.ClientAs(Roles.Dispatcher);
        var commander = node.ClientAs(Roles.Commander);
        // A district console sees the plan in brief, and the failure, as they happen.
        await using var console = await HubClient.ConnectAsync(node, "/hubs/dispatch", DispatchNode.Token(Roles.Dispatcher));
        await console.Connection.InvokeAsync<ScopeSnapshot>("Subscribe", Scopes.District);
        Task<Delta> Summary(Func<ReliefPlanSummary, bool> match) =>
            console.WaitFor(d => d.Kind == DeltaKinds.ReliefPlan && d.Id == ReliefCoordinator.GrainKey && match(HubClient.Data<ReliefPlanSummary>(d)));

        // The first solve fails: no plan yet, and both the POST and the GET say why and when it is tried again.
        var incidentId = await ReportFlood(dispatcher);
        var (_, noPlanDetail) = await AssertSolveFailed(await commander.PostAsync("/api/v1/relief/plan", null));
        Assert.Contains("no earlier plan", noPlanDetail);
        var (failure, _) = await AssertSolveFailed(await dispatcher.GetAsync("/api/v1/relief/plan"));
        await Summary(p => p.PlanId is null && p.LastSolveFailure is { Attempts: >= 1 } f && f.Error.Contains("ABNORMAL"));

        // Retries come by themselves while it keeps failing (each one more attempt in a row).
        var calls = Volatile.Read(ref planner.Calls);
        for (var i = 0; i < 100 && Volatile.Read(ref planner.Calls) < calls + 2; i++) await Task.Delay(100);
        Assert.True(Volatile.Read(ref planner.Calls) >= calls + 2, $"the coordinator retried {Volatile.Read(ref planner.Calls) - calls} time(s) in 10 s");
        var (later, _) = await AssertSolveFailed(await dispatcher.GetAsync("/api/v1/relief/plan"));
        Assert.True(later.Attempts > failure.Attempts, $"attempts {failure.Attempts} then {later.Attempts}");

        // The solver works again: the next retry makes the plan, with nobody asking.
        planner.Failing = false;
        var first = await WaitForPlan(dispatcher, p => p.Demands == 1);
        Assert.Null(first.LastSolveFailure);
        Assert.Equal(200, first.PeopleCovered); // the affected, of whom the relocated are a part
        var convoys = first.Allocations.Select(a => a.ShipmentId).Distinct().ToList();
        Assert.NotEmpty(convoys);
        await Summary(p => p.PlanId == first.PlanId && p.LastSolveFailure is null && p.PeopleCovered == 200 && p.Shipments == convoys.Count);

        // A later solve fails: 503 naming the plan in force; that plan, its convoys and reservations stay, and GET shows the failure.
        planner.Failing = true;
        var (_, keptDetail) = await AssertSolveFailed(await commander.PostAsync("/api/v1/relief/plan", null));
        Assert.Contains($"plan {first.PlanId} stays in force", keptDetail);
        var kept = await dispatcher.GetOk<ReliefPlan>("/api/v1/relief/plan");
        Assert.Equal(first.PlanId, kept.PlanId);
        Assert.NotNull(kept.LastSolveFailure);
        await Summary(p => p.PlanId == first.PlanId && p.LastSolveFailure is not null && p.PeopleCovered == 200);
        foreach (var id in convoys) Assert.Equal(ShipmentStatus.Planned, (await dispatcher.GetOk<Shipment>($"/api/v1/shipments/{id}")).Status);
        var relief = await dispatcher.GetOk<IncidentRelief>($"/api/v1/incidents/{incidentId}/relief");
        Assert.Equal(convoys.Order(), relief.Shipments.Where(s => s.PlanId == first.PlanId).Select(s => s.Id).Order());
        Assert.Equal(ReliefStatus.OnTrack, relief.Status);

        planner.Failing = false;
        var second = await WaitForPlan(dispatcher, p => p.PlanId > first.PlanId);
        Assert.Null(second.LastSolveFailure);
        Assert.Equal(200, second.PeopleCovered);
        await Summary(p => p.PlanId == second.PlanId && p.LastSolveFailure is null);
        // Nothing changed between the plans, so the new one sends the same convoys: they stay, with their ids, still Planned.
        Assert.Equal(convoys.Order(), second.Allocations.Select(a => a.ShipmentId).Distinct().Order());
        foreach (var id in convoys) Assert.Equal(ShipmentStatus.Planned, (await dispatcher.GetOk<Shipment>($"/api/v1/shipments/{id}")).Status);
    }

    [Fact]
    public async Task A_failed_solve_is_retried_after_a_restart_with_nobody_asking()
    {
        var cs = await postgres.CreateDatabaseAsync();
        await new SchemaMigrator(cs).MigrateAsync();
        var planner = new PlannerSwitch { Failing = true };
        string incidentId;
        await using (var node = await StartNode(cs, planner))
        {
            var dispatcher = node.ClientAs(Roles.Dispatcher);
            incidentId = await ReportFlood(dispatcher);
            await AssertSolveFailed(await node.ClientAs(Roles.Commander).PostAsync("/api/v1/relief/plan", null));
        }

        // The next node's solver works. Nothing asks the coordinator to plan, nor reads its plan (which would activate it): only
        // the incident's relief is read, until the stored retry has planned its convoys.
        planner.Failing = false;
        await using var restarted = await StartNode(cs, planner);
        var reader = restarted.ClientAs(Roles.Dispatcher);
        var relief = await PlannedConvoys(reader, incidentId, "no convoy was planned within 30 s of the restart");
        Assert.Equal(200, relief.PeopleCoveredByPlan);
        var plan = await reader.GetOk<ReliefPlan>("/api/v1/relief/plan");
        Assert.Null(plan.LastSolveFailure);
    }

    [Fact]
    public async Task A_re_plan_a_change_asked_for_before_the_node_stopped_is_made_after_the_restart_with_nobody_asking()
    {
        var cs = await postgres.CreateDatabaseAsync();
        await new SchemaMigrator(cs).MigrateAsync();
        var planner = new PlannerSwitch();
        // The in-memory debounce is put out of reach, as when the node stops (or leaves the cluster) before it fires.
        var settings = new Dictionary<string, string?> { ["Relief:ReplanDebounce"] = "00:10:00", ["Relief:ReplanBackstop"] = "00:00:05" };
        string incidentId;
        await using (var node = await StartNode(cs, planner, settings))
        {
            incidentId = await ReportFlood(node.ClientAs(Roles.Dispatcher)); // its relief demand asks the coordinator to re-plan
            await Task.Delay(500);
        }
        Assert.Equal(0, planner.Calls); // the first node stopped before anything planned

        // Nothing asks the next node to plan, nor reads the plan: only the incident's relief is read, until convoys appear.
        await using var restarted = await StartNode(cs, planner, settings);
        var reader = restarted.ClientAs(Roles.Dispatcher);
        var relief = await PlannedConvoys(reader, incidentId, "the requested re-plan was not made within 30 s of the restart");
        Assert.Equal(200, relief.PeopleCoveredByPlan);
    }
}
