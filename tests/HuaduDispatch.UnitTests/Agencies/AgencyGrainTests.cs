using HuaduDispatch.Contracts;
using HuaduDispatch.Grains;
using HuaduDispatch.Grains.Dispatch;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace HuaduDispatch.UnitTests.Agencies;

/// <summary>A test cluster with the in-memory reminder service, which the webhook outboxes use.</summary>
public sealed class AgencyClusterFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;

    private sealed class Configurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            silo.AddTestDomain(new Dictionary<string, string?>
            {
                ["Webhooks:BaseDelay"] = "00:00:05", // the endpoint in these tests never answers: keep the head in flight
                ["Webhooks:AttemptTimeout"] = "00:00:01",
            });
        }
    }

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(1);
        builder.AddSiloBuilderConfigurator<Configurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.StopAllSilosAsync();
}

/// <summary>The agency, registry and outbox grains on Orleans' in-process test cluster.</summary>
public sealed class AgencyGrainTests(AgencyClusterFixture fixture) : IClassFixture<AgencyClusterFixture>
{
    private IGrainFactory Grains => fixture.Cluster.GrainFactory;
    private static readonly Actor Admin = new() { Subject = "admin-1", Role = Roles.Admin };

    [Fact]
    public async Task Registry_lists_a_created_agency_a_second_create_conflicts_and_the_secret_is_never_shown()
    {
        var registry = Grains.GetGrain<IAgencyRegistryGrain>(0);
        var created = await registry.Create(AgencyRulesTests.Valid("gas-grain-test"), Admin);
        Assert.Equal("gas-grain-test", created.Id);
        var e = await Assert.ThrowsAsync<DomainException>(() => registry.Create(AgencyRulesTests.Valid("gas-grain-test"), Admin));
        Assert.Equal(DomainErrorKind.Conflict, e.Kind);
        Assert.Contains("gas-grain-test", await registry.List());

        var endpoint = await Grains.GetGrain<IAgencyGrain>("gas-grain-test").AddWebhook(new WebhookRequest
        {
            Id = "main", Url = "http://127.0.0.1:9/hook", Events = ["LevelChanged"], Secret = AgencyRulesTests.Secret, Active = false,
        }, Admin);
        Assert.True(endpoint.SecretSet);
        var agency = await Grains.GetGrain<IAgencyGrain>("gas-grain-test").Get();
        Assert.DoesNotContain(AgencyRulesTests.Secret, System.Text.Json.JsonSerializer.Serialize(agency, DispatchJson.Options));
    }

    [Fact]
    public async Task Updating_a_webhook_without_active_leaves_a_disabled_endpoint_disabled()
    {
        await Grains.GetGrain<IAgencyRegistryGrain>(0).Create(AgencyRulesTests.Valid("water-put-test"), Admin);
        var agency = Grains.GetGrain<IAgencyGrain>("water-put-test");
        await agency.AddWebhook(new WebhookRequest { Id = "main", Url = "http://127.0.0.1:9/hook", Events = ["LevelChanged"], Secret = AgencyRulesTests.Secret, Active = false }, Admin);
        var moved = await agency.UpdateWebhook("main", new WebhookRequest { Url = "http://127.0.0.1:9/new-hook", Events = ["LevelChanged"] }, Admin);
        Assert.Equal(("http://127.0.0.1:9/new-hook", false), (moved.Url, moved.Active));
        Assert.True((await agency.UpdateWebhook("main", new WebhookRequest { Url = "http://127.0.0.1:9/new-hook", Events = ["LevelChanged"], Active = true }, Admin)).Active);
    }

    [Fact]
    public async Task The_sink_queues_subscribed_events_once_and_skips_unknown_recipients()
    {
        await Grains.GetGrain<IAgencyRegistryGrain>(0).Create(AgencyRulesTests.Valid("power-sink-test"), Admin);
        // Inactive endpoints get nothing; an active one pointing nowhere keeps its events queued.
        await Grains.GetGrain<IAgencyGrain>("power-sink-test").AddWebhook(new WebhookRequest
        {
            Id = "levels", Url = "http://127.0.0.1:9/hook", Events = ["LevelChanged"], Secret = AgencyRulesTests.Secret,
        }, Admin);
        var sink = Grains.GetGrain<IIncidentEventSink>(0);
        IncidentEvent[] events =
        [
            WebhookQueueTests.Event("INC-S", 1, IncidentEventKind.IncidentCreated, "power-sink-test", "nobody-here"),
            WebhookQueueTests.Event("INC-S", 2, IncidentEventKind.LevelChanged, "power-sink-test", "nobody-here"),
            WebhookQueueTests.Event("INC-S", 3, IncidentEventKind.LevelChanged, "power-sink-test", "nobody-here"),
        ];
        await sink.Accept(events);
        await sink.Accept(events); // the same hand-off again
        var outbox = Grains.GetGrain<IWebhookOutboxGrain>("power-sink-test/levels");
        Assert.Equal(0, await outbox.Enqueue([events[1], events[2]]));
        var status = await outbox.Status();
        Assert.Equal(2, status.Pending);
        Assert.Equal("INC-S/2", status.Delivering);
    }
}
