using System.Net;
using System.Net.Http.Json;
using HuaduDispatch.Contracts;
using HuaduDispatch.IntegrationTests.Infrastructure;
using HuaduDispatch.Silo.Schema;

namespace HuaduDispatch.IntegrationTests;

/// <summary>
/// The response plans carry a version (ETag) and a replacement with If-Match applies only to the version it names (the
/// administrator's exploratory test, M6: two admins replacing the plans at once both got 200 and one change was lost).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ResponsePlanVersionTests(PostgresServer postgres)
{
    private static List<ResponsePlanEntry> Adding(List<ResponsePlanEntry> plans, IncidentType type, Capability capability) =>
        [.. plans.Select(p => p.Type == type && p.Level == ResponseLevel.IV
            ? p with { Modules = [.. p.Modules, new ModuleRequirement { Capability = capability, Count = 1 }] }
            : p)];

    private static HttpRequestMessage Put(List<ResponsePlanEntry> plans, string? ifMatch)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, "/api/v1/response-plans") { Content = JsonContent.Create(plans, options: DispatchJson.Options) };
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return request;
    }

    private static bool Has(IEnumerable<ResponsePlanEntry> plans, IncidentType type, Capability capability) =>
        plans.Single(p => p.Type == type && p.Level == ResponseLevel.IV).Modules.Any(m => m.Capability == capability);

    [Fact]
    public async Task Two_admins_editing_the_plans_at_once_cannot_lose_a_change_and_the_version_survives_a_restart()
    {
        var cs = await postgres.CreateDatabaseAsync();
        await new SchemaMigrator(cs).MigrateAsync();
        await using (var node = await DispatchNode.StartAsync(cs))
        {
            var zhang = node.ClientAs(Roles.Admin);
            var chen = node.ClientAs(Roles.Admin);

            // Both read the shipped set, version 0.
            var read1 = await zhang.GetAsync("/api/v1/response-plans");
            var read2 = await chen.GetAsync("/api/v1/response-plans");
            Assert.Equal("\"0\"", read1.Headers.ETag?.Tag);
            Assert.Equal("\"0\"", read2.Headers.ETag?.Tag);
            var plans = (await read1.Content.ReadFromJsonAsync<List<ResponsePlanEntry>>(DispatchJson.Options))!;

            // Zhang adds Medical to Flood IV first: version 1.
            var first = await zhang.SendAsync(Put(Adding(plans, IncidentType.Flood, Capability.Medical), "\"0\""));
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal("\"1\"", first.Headers.ETag?.Tag);

            // Chen's edit of version 0 is refused, saying which version is in force; nothing of it is applied.
            var stale = await chen.SendAsync(Put(Adding(plans, IncidentType.GasLeak, Capability.DroneReconnaissance), "\"0\""));
            Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
            Assert.Contains("version 1 is in force", (await stale.ReadProblem()).GetProperty("detail").GetString());
            var now = await chen.GetOk<List<ResponsePlanEntry>>("/api/v1/response-plans");
            Assert.True(Has(now, IncidentType.Flood, Capability.Medical));
            Assert.False(Has(now, IncidentType.GasLeak, Capability.DroneReconnaissance));

            // Chen reads again and applies the change to what is in force: both changes stand.
            var again = await chen.GetAsync("/api/v1/response-plans");
            var current = (await again.Content.ReadFromJsonAsync<List<ResponsePlanEntry>>(DispatchJson.Options))!;
            var second = await chen.SendAsync(Put(Adding(current, IncidentType.GasLeak, Capability.DroneReconnaissance), again.Headers.ETag!.Tag));
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
            Assert.Equal("\"2\"", second.Headers.ETag?.Tag);

            // A tag that is no version (weak, text, a leading zero, an empty header) cannot be in force, and the 412 says so; a
            // list matches when one of its tags is the version in force.
            foreach (var tag in new[] { "W/\"2\"", "\"abc\"", "\"02\"", "" })
            {
                var refused = await chen.SendAsync(Put(current, tag));
                Assert.Equal(HttpStatusCode.PreconditionFailed, refused.StatusCode);
                Assert.Contains("If-Match names no version", (await refused.ReadProblem()).GetProperty("detail").GetString());
            }
            var listed = await chen.SendAsync(Put(Adding(current, IncidentType.GasLeak, Capability.DroneReconnaissance), "\"1\", \"2\""));
            Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
            Assert.Equal("\"3\"", listed.Headers.ETag?.Tag);
        }

        await using (var node = await DispatchNode.StartAsync(cs))
        {
            var admin = node.ClientAs(Roles.Admin);
            var read = await admin.GetAsync("/api/v1/response-plans");
            Assert.Equal("\"3\"", read.Headers.ETag?.Tag);
            var plans = (await read.Content.ReadFromJsonAsync<List<ResponsePlanEntry>>(DispatchJson.Options))!;
            Assert.True(Has(plans, IncidentType.Flood, Capability.Medical));
            Assert.True(Has(plans, IncidentType.GasLeak, Capability.DroneReconnaissance));
            var unconditional = await admin.SendAsync(Put(plans, null));
            Assert.Equal(HttpStatusCode.OK, unconditional.StatusCode);
            Assert.Equal("\"4\"", unconditional.Headers.ETag?.Tag);
        }
    }
}
