using System.Net;
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
