using System.Net;
using HuaduDispatch.IntegrationTests.Infrastructure;
using HuaduDispatch.Silo.Schema;

namespace HuaduDispatch.IntegrationTests;

/// <summary>The node reads the settings beside its executable wherever it is started from.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ContentRootTests(PostgresServer postgres)
{
    [Fact]
    public async Task A_node_started_from_another_directory_still_reads_its_appsettings_and_does_not_log_every_request()
    {
        var cs = await postgres.CreateDatabaseAsync();
        await new SchemaMigrator(cs).MigrateAsync();
        var elsewhere = Directory.CreateTempSubdirectory("huadu-cwd-");
        try
        {
            // Information by default, as without appsettings.json; appsettings.json keeps Microsoft.AspNetCore at Warning.
            await using var node = await DispatchProcess.StartAsync(cs, new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Information" },
                workingDirectory: elsewhere.FullName);
            for (var i = 0; i < 5; i++) Assert.Equal(HttpStatusCode.OK, (await node.Http.GetAsync("/health/live")).StatusCode);
            await Task.Delay(TimeSpan.FromSeconds(1)); // the process's output is read as it comes: let the requests' lines arrive

            // The requests are the last thing the node did, so their lines would be in the output's tail (it keeps 64 KB; the
            // start-up lines before them may have scrolled out).
            Assert.DoesNotContain("Request starting", node.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("Request finished", node.Output, StringComparison.Ordinal);
        }
        finally
        {
            elsewhere.Delete(recursive: true);
        }
    }
}
