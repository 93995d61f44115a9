using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR.Client;
using HuaduDispatch.Contracts;
using HuaduDispatch.IntegrationTests.Infrastructure;
using HuaduDispatch.Silo.Schema;

namespace HuaduDispatch.IntegrationTests;

/// <summary>
/// A node started with another reference data file does not replace the data set in force in the cluster; a reload through
/// it does. Until the thirtieth session every start loaded the node's own file, so a node restarted with an older file put
/// the whole cluster back on it, and each restart flipped it (an exploratory test of an administrator's day).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ReferenceDataStartTests(PostgresServer postgres)
{
    [Fact]
    public async Task A_node_started_with_another_file_keeps_the_set_in_force_until_a_reload_through_it()
    {
        var cs = await postgres.CreateDatabaseAsync();
        await new SchemaMigrator(cs).MigrateAsync();
        using var newer = new ReferenceFile();
        newer.Data["version"] = (string?)newer.Data["version"] + "-newer";
        await newer.SaveAsync();
        await using var first = await DispatchNode.StartAsync(cs, new Dictionary<string, string?>([newer.Setting]));
        var inForce = await first.ClientAs(Roles.Dispatcher).GetOk<ReferenceDataStatus>("/api/v1/reference-data");
        Assert.EndsWith("-newer", inForce.Version);

        // A second node with the shipped (older) file: the cluster keeps the newer set.
        await using var second = await DispatchNode.StartAsync(cs);
        Assert.Equal(inForce.ContentHash, (await second.ClientAs(Roles.Dispatcher).GetOk<ReferenceDataStatus>("/api/v1/reference-data")).ContentHash);
        Assert.Equal(inForce.ContentHash, (await first.ClientAs(Roles.Dispatcher).GetOk<ReferenceDataStatus>("/api/v1/reference-data")).ContentHash);

        // A reload through the second node puts its file in force.
        Assert.Equal(HttpStatusCode.OK, (await second.ClientAs(Roles.Admin).PostAsync("/api/v1/reference-data/reload", null)).StatusCode);
        Assert.DoesNotContain("-newer", (await first.ClientAs(Roles.Dispatcher).GetOk<ReferenceDataStatus>("/api/v1/reference-data")).Version);
    }
}

/// <summary>
/// A reload reaches the consoles (a renamed team is pushed) and says what it removed from under a live response (the admin
/// tester's L3 and L10, thirtieth session: the consoles kept the old name until they subscribed again, and a crew on an
/// incident vanished from the lists without a word).
/// </summary>
public sealed class ReferenceDataReloadTests
{
    [Fact]
    public async Task A_reload_pushes_changed_teams_and_warns_of_a_removed_team_that_is_on_an_incident()
    {
        using var file = new ReferenceFile();
        await file.SaveAsync();
        await using var node = await DispatchNode.StartAsync(connectionString: null, new Dictionary<string, string?>([file.Setting]));
        var dispatcher = node.ClientAs(Roles.Dispatcher);
        var incident = await dispatcher.PostAsJsonAsync("/api/v1/incidents", HardeningTests.Incident("Reload under way"));
        var id = (await incident.Content.ReadFromJsonAsync<Incident>(DispatchJson.Options))!.Id;
        Assert.Equal(HttpStatusCode.OK, (await dispatcher.PostAsJsonAsync($"/api/v1/incidents/{id}/dispatches", new { teamIds = new[] { "D03" } })).StatusCode);
        await using var console = await HubClient.ConnectAsync(node, "/hubs/dispatch", DispatchNode.Token(Roles.Dispatcher));
        await console.Connection.InvokeAsync<ScopeSnapshot>("Subscribe", Scopes.District);

        var teams = file.Data["teams"]!.AsArray();
        teams.Single(t => (string?)t!["id"] == "D06")!["nameEn"] = "Huadu District Renamed Team";
        teams.Remove(teams.Single(t => (string?)t!["id"] == "D03"));
        file.Data["version"] = (string?)file.Data["version"] + "-renamed";
        await file.SaveAsync();
        var reload = await node.ClientAs(Roles.Admin).PostAsync("/api/v1/reference-data/reload", null);
        Assert.Equal(HttpStatusCode.OK, reload.StatusCode);
        var result = (await reload.Content.ReadFromJsonAsync<ReferenceLoadResult>(DispatchJson.Options))!;
        Assert.True(result.Applied);
        var warning = Assert.Single(result.Warnings);
        Assert.Contains($"team D03 is removed but is Assigned on incident {id}", warning);

        var pushed = await console.WaitFor(d => d.Kind == DeltaKinds.Team && d.Id == "D06" && HubClient.Data<RescueTeam>(d).NameEn == "Huadu District Renamed Team",
            TimeSpan.FromSeconds(15));
        Assert.Equal(Scopes.District, pushed.Scope);
    }
}
