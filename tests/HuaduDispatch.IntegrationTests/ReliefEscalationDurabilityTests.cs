using System.Net;
using System.Net.Http.Json;
using HuaduDispatch.Contracts;
using HuaduDispatch.IntegrationTests.Infrastructure;
using HuaduDispatch.Silo.Schema;

namespace HuaduDispatch.IntegrationTests;

/// <summary>An agreement reserve's activation is warehouse state in PostgreSQL: it survives a restart and the reference data load at start.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ReliefEscalationDurabilityTests(PostgresServer postgres)
{
    [Fact]
    public async Task An_activation_survives_a_restart_and_a_deactivation_too()
    {
        var cs = await postgres.CreateDatabaseAsync();
        await new SchemaMigrator(cs).MigrateAsync();

        ReserveActivation activation;
        await using (var node = await DispatchNode.StartAsync(cs))
        {
            var commander = node.ClientAs(Roles.Commander);
            var response = await commander.PostAsJsonAsync("/api/v1/warehouses/WH-AR-01/activation", new { reason = "typhoon warning: water & meals" });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            activation = (await response.Content.ReadFromJsonAsync<Warehouse>(DispatchJson.Options))!.Activation!;
            Assert.Equal("typhoon warning: water & meals", activation.Reason);
        }

        await using (var node = await DispatchNode.StartAsync(cs))
        {
            var dispatcher = node.ClientAs(Roles.Dispatcher);
            var reserve = await dispatcher.GetOk<Warehouse>("/api/v1/warehouses/WH-AR-01");
            Assert.Equal(activation, reserve.Activation); // the reference data load at start keeps it
            Assert.Equal(HttpStatusCode.Conflict, (await dispatcher.PostAsJsonAsync("/api/v1/warehouses/WH-AR-01/activation", new { reason = "again" })).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await dispatcher.PostAsync("/api/v1/warehouses/WH-AR-01/deactivation", null)).StatusCode);
        }

        await using (var node = await DispatchNode.StartAsync(cs))
        {
            Assert.Null((await node.ClientAs(Roles.Viewer).GetOk<Warehouse>("/api/v1/warehouses/WH-AR-01")).Activation);
        }
    }
}
