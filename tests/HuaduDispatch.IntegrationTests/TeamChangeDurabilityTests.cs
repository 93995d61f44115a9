using System.Net;
using System.Net.Http.Json;
using HuaduDispatch.Contracts;
using HuaduDispatch.IntegrationTests.Infrastructure;
using HuaduDispatch.Silo.Schema;
using Microsoft.Extensions.DependencyInjection;

namespace HuaduDispatch.IntegrationTests;

/// <summary>
/// PostgreSQL mode: a dispatch cut short after the team stored its assignment and before the incident stored the dispatch (the
/// node's team call fails once it has run, as when the node dies there), then the node stops and a new one starts on the same
/// database.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class TeamChangeDurabilityTests(PostgresServer postgres)
{
    /// <summary>Lets a team's <c>Assign</c> run and store the team, then fails it to its caller.</summary>
    private sealed class FailAfterAssign : IIncomingGrainCallFilter
    {
        public async Task Invoke(IIncomingGrainCallContext context)
        {
            await context.Invoke();
            if (context.InterfaceMethod.DeclaringType == typeof(IRescueTeamGrain) && context.InterfaceMethod.Name == nameof(IRescueTeamGrain.Assign))
                throw new InvalidOperationException("injected: the node stopped after the team's assignment was stored");
        }
    }

    [Fact]
    public async Task A_dispatch_cut_short_after_the_teams_write_is_undone_on_the_next_node_and_the_team_can_be_dispatched_again()
    {
        var cs = await postgres.CreateDatabaseAsync();
        await new SchemaMigrator(cs).MigrateAsync();
        string incidentId;
        await using (var node = await DispatchNode.StartAsync(cs, services: s => s.AddSingleton<IIncomingGrainCallFilter, FailAfterAssign>()))
        {
            var dispatcher = node.ClientAs(Roles.Dispatcher);
            var response = await dispatcher.PostAsJsonAsync("/api/v1/incidents", new
            {
                type = "BuildingFire", title = "Warehouse fire", location = new { lat = 23.43, lon = 113.40 },
                occurredAt = DateTimeOffset.UtcNow.AddMinutes(-5), source = "hotline",
            });
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            incidentId = (await response.Content.ReadFromJsonAsync<Incident>(DispatchJson.Options))!.Id;
            var dispatched = await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incidentId}/dispatches", new { teamIds = new[] { "D01" } });
            Assert.False(dispatched.IsSuccessStatusCode, $"the cut-short dispatch answered {(int)dispatched.StatusCode}");
            Assert.Equal(incidentId, (await dispatcher.GetOk<RescueTeam>("/api/v1/teams/D01")).IncidentId); // the team stored it
        }

        await using (var node = await DispatchNode.StartAsync(cs))
        {
            var dispatcher = node.ClientAs(Roles.Dispatcher);
            // Reading the incident activates it, and the activation repairs the dispatch cut short.
            var incident = await dispatcher.GetOk<Incident>($"/api/v1/incidents/{incidentId}");
            Assert.DoesNotContain(incident.Teams, t => t.TeamId == "D01" && t.ReleasedAt is null);
            var team = await dispatcher.GetOk<RescueTeam>("/api/v1/teams/D01");
            Assert.Equal((null, TeamStatus.Available), (team.IncidentId, team.Status)); // before: Assigned to the incident, for good

            var again = await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{incidentId}/dispatches", new { teamIds = new[] { "D01" } });
            Assert.Equal(HttpStatusCode.OK, again.StatusCode); // before: 409 "team D01 is Assigned and cannot be dispatched"
            var dispatched = (await again.Content.ReadFromJsonAsync<Incident>(DispatchJson.Options))!;
            Assert.Single(dispatched.Teams, t => t.TeamId == "D01" && t.ReleasedAt is null);
            Assert.Equal(incidentId, (await dispatcher.GetOk<RescueTeam>("/api/v1/teams/D01")).IncidentId);
        }
    }
}
