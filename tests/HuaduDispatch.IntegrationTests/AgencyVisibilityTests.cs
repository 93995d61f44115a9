using System.Net;
using System.Net.Http.Json;
using HuaduDispatch.Contracts;
using HuaduDispatch.IntegrationTests.Infrastructure;
using HuaduDispatch.Silo.Schema;

namespace HuaduDispatch.IntegrationTests;

/// <summary>An agency sees only what it reported or what was shared with it; its externalId finds its earlier report.</summary>
public sealed class AgencyVisibilityTests : IAsyncLifetime
{
    private DispatchNode _node = null!;

    public async Task InitializeAsync() => _node = await DispatchNode.StartAsync(connectionString: null);
    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task Another_agencys_incident_is_404_everywhere_until_it_is_shared()
    {
        var police = _node.ClientAs(Roles.Agency, agencyId: "police-110");
        var fire = _node.ClientAs(Roles.Agency, agencyId: "fire-119");
        var created = await police.PostAsJsonAsync("/api/v1/incidents", HardeningTests.Incident("Car in the river", externalId: "110-A1", source: null));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var incident = (await created.Content.ReadFromJsonAsync<Incident>(DispatchJson.Options))!;
        Assert.Equal("police-110", incident.Source);

        foreach (var path in new[] { "", "/tasks", "/command-post", "/relief" })
        {
            var answer = await fire.GetAsync($"/api/v1/incidents/{incident.Id}{path}");
            Assert.True(answer.StatusCode == HttpStatusCode.NotFound, $"GET {path}: {(int)answer.StatusCode}");
            Assert.DoesNotContain("Car in the river", await answer.Content.ReadAsStringAsync());
        }
        var assess = await fire.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/assessments", new { trapped = 2 });
        Assert.Equal(HttpStatusCode.NotFound, assess.StatusCode);
        Assert.DoesNotContain(await fire.GetOk<List<IncidentSummary>>("/api/v1/incidents"), i => i.Id == incident.Id);
        Assert.Contains(await police.GetOk<List<IncidentSummary>>("/api/v1/incidents"), i => i.Id == incident.Id);
        // Same answer as for an id that does not exist at all: existence is not revealed.
        Assert.Equal(HttpStatusCode.NotFound, (await fire.GetAsync("/api/v1/incidents/INC-20260101-NOSUCHID")).StatusCode);

        // Only the command centre shares.
        Assert.Equal(HttpStatusCode.Forbidden, (await police.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/shares", new { agencyIds = new[] { "fire-119" } })).StatusCode);
        var shared = await _node.ClientAs(Roles.Dispatcher).PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/shares", new { agencyIds = new[] { "fire-119" }, reason = "water rescue" });
        Assert.Equal(HttpStatusCode.OK, shared.StatusCode);
        var seen = await fire.GetOk<Incident>($"/api/v1/incidents/{incident.Id}");
        Assert.Contains("fire-119", seen.SharedWith);
        Assert.Contains(await fire.GetOk<List<IncidentSummary>>("/api/v1/incidents"), i => i.Id == incident.Id);
        Assert.Equal(HttpStatusCode.OK, (await fire.PostAsJsonAsync($"/api/v1/incidents/{incident.Id}/assessments", new { trapped = 2 })).StatusCode);
    }

    [Fact]
    public async Task An_agency_token_naming_one_of_the_districts_own_sources_sees_none_of_their_incidents()
    {
        var dispatcher = _node.ClientAs(Roles.Dispatcher);
        async Task<Incident> Report(string source)
        {
            var created = await dispatcher.PostAsJsonAsync("/api/v1/incidents", new
            {
                type = "Waterlogging", title = "Underpass flooded", location = new { lat = 23.404, lon = 113.2245 },
                occurredAt = DateTimeOffset.UtcNow.AddMinutes(-5), source,
            });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var incident = (await created.Content.ReadFromJsonAsync<Incident>(DispatchJson.Options))!;
            Assert.Equal(source, incident.Source);
            return incident;
        }
        // A partner's id as the source: that agency reads it.
        var relayed = await Report("water-affairs");
        Assert.Equal(HttpStatusCode.OK, (await _node.ClientAs(Roles.Agency, agencyId: "water-affairs").GetAsync($"/api/v1/incidents/{relayed.Id}")).StatusCode);
        foreach (var own in IncidentSources.Internal)
        {
            var incident = await Report(own);
            var agency = _node.ClientAs(Roles.Agency, agencyId: own);
            Assert.Equal(HttpStatusCode.NotFound, (await agency.GetAsync($"/api/v1/incidents/{incident.Id}")).StatusCode);
            Assert.DoesNotContain(await agency.GetOk<List<IncidentSummary>>("/api/v1/incidents"), i => i.Id == incident.Id);
            // Nor can such an agency be registered.
            var registered = await _node.ClientAs(Roles.Admin).PostAsJsonAsync("/api/v1/agencies", new { id = own, nameZh = "热线", nameEn = "Hotline", kind = "Police" });
            Assert.Equal(HttpStatusCode.BadRequest, registered.StatusCode);
        }
    }

    [Fact]
    public async Task An_agency_resubmitting_its_external_id_gets_the_existing_incident_not_a_second_one()
    {
        var police = _node.ClientAs(Roles.Agency, agencyId: "police-110");
        var first = await police.PostAsJsonAsync("/api/v1/incidents", HardeningTests.Incident("Gas smell", externalId: "110-B7", source: null));
        var again = await police.PostAsJsonAsync("/api/v1/incidents", HardeningTests.Incident("Gas smell (resent)", externalId: "110-B7", source: null));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var a = (await first.Content.ReadFromJsonAsync<Incident>(DispatchJson.Options))!;
        var b = (await again.Content.ReadFromJsonAsync<Incident>(DispatchJson.Options))!;
        Assert.Equal(a.Id, b.Id);
        Assert.Equal("Gas smell", b.Title);
        Assert.Equal($"/api/v1/incidents/{a.Id}", again.Headers.Location?.OriginalString);
        Assert.Single(await police.GetOk<List<IncidentSummary>>("/api/v1/incidents"), i => i.Title.StartsWith("Gas smell", StringComparison.Ordinal));

        // The same external id from another agency is another report.
        var fire = await _node.ClientAs(Roles.Agency, agencyId: "fire-119").PostAsJsonAsync("/api/v1/incidents", HardeningTests.Incident("Gas smell", externalId: "110-B7", source: null));
        Assert.Equal(HttpStatusCode.Created, fire.StatusCode);
        Assert.NotEqual(a.Id, (await fire.Content.ReadFromJsonAsync<Incident>(DispatchJson.Options))!.Id);

        // An external id is part of a storage key: a very long one is refused, not stored.
        var longId = await police.PostAsJsonAsync("/api/v1/incidents", HardeningTests.Incident("Long", externalId: new string('9', 201), source: null));
        Assert.Equal(HttpStatusCode.BadRequest, longId.StatusCode);
        Assert.True((await longId.ReadProblem()).GetProperty("errors").TryGetProperty("externalId", out _));

        // An agency cannot report as another.
        var spoof = await police.PostAsJsonAsync("/api/v1/incidents", HardeningTests.Incident("Spoof", source: "fire-119"));
        Assert.Equal(HttpStatusCode.Forbidden, spoof.StatusCode);
    }

    [Fact]
    public async Task A_refused_first_report_does_not_block_the_corrected_resubmission()
    {
        var police = _node.ClientAs(Roles.Agency, agencyId: "police-110");
        var bad = await police.PostAsJsonAsync("/api/v1/incidents", new { type = "Waterlogging", title = "No location", externalId = "110-C3", occurredAt = DateTimeOffset.UtcNow });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var good = await police.PostAsJsonAsync("/api/v1/incidents", HardeningTests.Incident("With location", externalId: "110-C3", source: null));
        Assert.Equal(HttpStatusCode.Created, good.StatusCode);
    }
}

/// <summary>Idempotency keys are kept in grain storage: in PostgreSQL mode they survive a restart.</summary>
[Collection(PostgresCollection.Name)]
public sealed class IdempotencyDurabilityTests(PostgresServer postgres)
{
    [Fact]
    public async Task A_key_answered_before_a_restart_is_replayed_after_it_and_still_refuses_another_body()
    {
        var cs = await postgres.CreateDatabaseAsync();
        await new SchemaMigrator(cs).MigrateAsync();
        var key = Guid.NewGuid().ToString();
        string firstBody;
        Uri? firstLocation;
        await using (var node = await DispatchNode.StartAsync(cs))
        {
            var first = await HardeningTests.PostWithKey(node.ClientAs(Roles.Dispatcher), "/api/v1/incidents", HardeningTests.Incident("Before restart"), key);
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
            firstBody = await first.Content.ReadAsStringAsync();
            firstLocation = first.Headers.Location;
        }
        await using (var node = await DispatchNode.StartAsync(cs))
        {
            var dispatcher = node.ClientAs(Roles.Dispatcher);
            var replay = await HardeningTests.PostWithKey(dispatcher, "/api/v1/incidents", HardeningTests.Incident("Before restart"), key);
            Assert.Equal(HttpStatusCode.Created, replay.StatusCode);
            Assert.True(replay.Headers.TryGetValues("Idempotent-Replayed", out _));
            Assert.Equal(firstBody, await replay.Content.ReadAsStringAsync());
            Assert.Equal(firstLocation, replay.Headers.Location);
            Assert.Single(await dispatcher.GetOk<List<IncidentSummary>>("/api/v1/incidents"));
            var other = await HardeningTests.PostWithKey(dispatcher, "/api/v1/incidents", HardeningTests.Incident("Different"), key);
            Assert.Equal((HttpStatusCode)422, other.StatusCode);
        }
    }
}
