using HuaduDispatch.Contracts;
using HuaduDispatch.Grains;
using HuaduDispatch.Grains.Dispatch;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace HuaduDispatch.UnitTests;

public sealed class TestClusterFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;

    private sealed class Configurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            silo.AddTestDomain();
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

/// <summary>The reference catalogue, team and warehouse grains on Orleans' in-process test cluster.</summary>
public sealed class ReferenceGrainTests(TestClusterFixture fixture) : IClassFixture<TestClusterFixture>
{
    private IGrainFactory Grains => fixture.Cluster.GrainFactory;

    private static ReferenceDataSet Set(string suffix, long water = 100) => ReferenceDataValidatorTests.Minimal() with
    {
        Teams = [ReferenceDataValidatorTests.Minimal().Teams[0] with { Id = "T-" + suffix }],
        Warehouses = [ReferenceDataValidatorTests.Minimal().Warehouses[0] with
        {
            Id = "WH-" + suffix,
            Stock = [new StockLine { ItemCode = "drinking-water", Quantity = water }],
        }],
    };

    [Fact]
    public async Task Loading_the_same_content_twice_applies_it_once()
    {
        var catalogue = Grains.GetGrain<IReferenceDataGrain>("once");
        var first = await catalogue.Load(Set("a"), "hash-1");
        var second = await catalogue.Load(Set("a"), "hash-1");
        Assert.True(first.Applied);
        Assert.False(second.Applied);
        Assert.Equal(first.LoadedAt, second.LoadedAt);
        var status = await catalogue.GetStatus();
        Assert.Equal(1, status!.Teams);
        Assert.Equal(20, status.TeamMembers);
    }

    [Fact]
    public async Task A_new_team_starts_available_at_its_home_base_and_a_reload_keeps_its_live_status()
    {
        var catalogue = Grains.GetGrain<IReferenceDataGrain>("team-status");
        await catalogue.Load(Set("b"), "h1");
        var team = await Grains.GetGrain<IRescueTeamGrain>("T-b").Get();
        Assert.Equal(TeamStatus.Available, team!.Status);
        Assert.Equal(team.HomeBase.Lat, team.Position.Lat);

        var renamed = Set("b") with { Teams = [Set("b").Teams[0] with { NameEn = "Renamed", Members = 25 }] };
        Assert.True((await catalogue.Load(renamed, "h2")).Applied);
        var after = await Grains.GetGrain<IRescueTeamGrain>("T-b").Get();
        Assert.Equal("Renamed", after!.NameEn);
        Assert.Equal(25, after.Members);
        Assert.Equal(team.StatusChangedAt, after.StatusChangedAt);
    }

    [Fact]
    public async Task Warehouse_stock_is_seeded_once_and_not_reset_by_a_changed_reference_file()
    {
        var catalogue = Grains.GetGrain<IReferenceDataGrain>("stock");
        await catalogue.Load(Set("c", water: 100), "s1");
        await catalogue.Load(Set("c", water: 999), "s2");
        var warehouse = await Grains.GetGrain<IWarehouseGrain>("WH-c").Get();
        var water = Assert.Single(warehouse!.Stock);
        Assert.Equal(100, water.OnHand);
        Assert.Equal(100, water.Available);
    }

    [Fact]
    public async Task An_unknown_team_or_warehouse_id_reads_as_null()
    {
        Assert.Null(await Grains.GetGrain<IRescueTeamGrain>("never-defined").Get());
        Assert.Null(await Grains.GetGrain<IWarehouseGrain>("never-defined").Get());
    }

    [Fact]
    public async Task A_definition_sent_to_the_wrong_grain_is_refused()
    {
        var e = await Assert.ThrowsAnyAsync<Exception>(() => Grains.GetGrain<IRescueTeamGrain>("X9").ApplyDefinition(Set("d").Teams[0]));
        Assert.Contains("sent to grain 'X9'", e.Message);
    }
}

/// <summary>The warehouse grain is the only writer of its stock: concurrent movements and reservations never overdraw it.</summary>
public sealed class WarehouseConcurrencyTests(TestClusterFixture fixture) : IClassFixture<TestClusterFixture>
{
    /// <summary>Loads a reference set with one warehouse holding water into the cluster's catalogue (the one a warehouse checks items against).</summary>
    public static async Task<IWarehouseGrain> OneWarehouse(IGrainFactory grains, string id, long water)
    {
        var set = ReferenceDataValidatorTests.Minimal() with
        {
            Teams = [],
            Warehouses = [ReferenceDataValidatorTests.Minimal().Warehouses[0] with { Id = id, Stock = [new StockLine { ItemCode = "drinking-water", Quantity = water }] }],
        };
        await grains.GetGrain<IReferenceDataGrain>(ReferenceData.GrainKey).Load(set, id + "-1");
        return grains.GetGrain<IWarehouseGrain>(id);
    }

    /// <summary>Issues <paramref name="quantity"/> drinking water; the quantity issued, or 0 when the warehouse refused it (409).</summary>
    internal static async Task<long> Issued(IWarehouseGrain wh, long quantity, string reason, Actor actor)
    {
        try
        {
            await wh.RecordMovement(new StockMovementRequest { ItemCode = "drinking-water", Kind = StockMovementKind.Issue, Quantity = quantity, Reason = reason }, actor);
            return quantity;
        }
        catch (DomainException) { return 0L; }
    }

    [Fact]
    public async Task Many_concurrent_issues_and_reservations_never_drive_stock_negative_or_double_reserve()
    {
        var grains = fixture.Cluster.GrainFactory;
        var wh = await OneWarehouse(grains, "WH-conc", water: 100);
        var actor = new Actor { Subject = "t", Role = Roles.Dispatcher };

        Task<long> Issue(int i) => Issued(wh, 3, $"i{i}", actor);
        async Task<int> Reservation(int i) =>
            await wh.Reserve($"r{i % 30}", [new ReservationLine { ItemCode = "drinking-water", Quantity = 5 }], actor) ? i % 30 : -1;
        // Started interleaved, all in flight at once.
        var issueTasks = new List<Task<long>>();
        var reservationTasks = new List<Task<int>>();
        for (var i = 0; i < 60; i++)
        {
            issueTasks.Add(Issue(i));
            reservationTasks.Add(Reservation(i));
        }
        var issued = await Task.WhenAll(issueTasks);
        var reserved = (await Task.WhenAll(reservationTasks)).Where(r => r >= 0).Distinct().Count() * 5L;

        var water = (await wh.Get())!.Stock.Single();
        Assert.True(issued.Sum() > 0 && reserved > 0, $"issued {issued.Sum()}, reserved {reserved}: both must happen for the race to be tested");
        Assert.Equal(100 - issued.Sum(), water.OnHand);
        Assert.Equal(reserved, water.Reserved);
        Assert.True(water.OnHand >= water.Reserved && water.Available >= 0);
        Assert.Equal(issued.Count(x => x > 0), (await wh.GetMovements()).Count);
    }
}

/// <summary>Amendments race with reservations and issues too (a re-plan amends convoys while stock moves).</summary>
public sealed class WarehouseAmendConcurrencyTests(TestClusterFixture fixture) : IClassFixture<TestClusterFixture>
{
    [Fact]
    public async Task Concurrent_amendments_reservations_and_issues_never_overdraw_and_releasing_every_reservation_gives_back_exactly_what_was_held()
    {
        var grains = fixture.Cluster.GrainFactory;
        var wh = await WarehouseConcurrencyTests.OneWarehouse(grains, "WH-amend-conc", water: 100);
        var actor = new Actor { Subject = "t", Role = Roles.Dispatcher };
        ReservationLine[] Water(long quantity) => [new ReservationLine { ItemCode = "drinking-water", Quantity = quantity }];

        Task<long> Issue(int i) => WarehouseConcurrencyTests.Issued(wh, 2, $"i{i}", actor);
        var tasks = new List<Task>();
        var issues = new List<Task<long>>();
        var amendments = new List<Task<bool>>();
        for (var i = 0; i < 90; i++)
        {
            issues.Add(Issue(i));
            tasks.Add(wh.Reserve($"r{i % 10}", Water(4), actor));
            amendments.Add(wh.AmendReservation($"r{i % 10}", Water(1 + i % 9), actor)); // up to 9 each: 90 in all, more than is left
        }
        await Task.WhenAll(tasks);
        var issued = (await Task.WhenAll(issues)).Sum();
        var amended = await Task.WhenAll(amendments);

        var water = (await wh.Get())!.Stock.Single();
        Assert.True(issued > 0 && amended.Any(a => a), $"issued {issued}, {amended.Count(a => a)} amendments held: both must happen for the race to be tested");
        Assert.Equal(100 - issued, water.OnHand);
        Assert.True(water.Reserved >= 0 && water.Available >= 0, $"on hand {water.OnHand}, reserved {water.Reserved}");

        // Every reservation's share of Reserved is exactly its lines: releasing them all leaves nothing reserved.
        for (var r = 0; r < 10; r++) await wh.ReleaseReservation($"r{r}", actor);
        Assert.Equal((100 - issued, 0L), ((await wh.Get())!.Stock.Single().OnHand, (await wh.Get())!.Stock.Single().Reserved));
    }
}

/// <summary>A warehouse keeps only its recent movements in its own state; the older ones move to archive pages, and reads see all.</summary>
public sealed class WarehouseMovementArchiveTests(TestClusterFixture fixture) : IClassFixture<TestClusterFixture>
{
    [Fact]
    public async Task Older_movements_move_to_archive_pages_and_the_warehouse_still_lists_every_movement_in_order()
    {
        var grains = fixture.Cluster.GrainFactory;
        var wh = await WarehouseConcurrencyTests.OneWarehouse(grains, "WH-arch", water: 0);
        var actor = new Actor { Subject = "t", Role = Roles.Dispatcher };

        const int count = 450;
        for (var i = 1; i <= count; i++)
        {
            var m = await wh.RecordMovement(new StockMovementRequest { ItemCode = "drinking-water", Kind = StockMovementKind.Receive, Quantity = 1, Reason = $"r{i}" }, actor);
            Assert.Equal(i, m.Seq);
            Assert.Equal(i, m.OnHandAfter);
        }

        var all = await wh.GetMovements();
        Assert.Equal(Enumerable.Range(1, count).Select(i => (long)i), all.Select(m => m.Seq));
        Assert.Equal(Enumerable.Range(1, count).Select(i => $"r{i}"), all.Select(m => m.Reason));

        // Archived after movements 201, 302 and 403 (each time all but the newest 100): 303 in page 0, 147 kept by the warehouse.
        var page = await grains.GetGrain<IStockMovementArchiveGrain>(IStockMovementArchiveGrain.Key("WH-arch", 0)).Get();
        Assert.Equal(Enumerable.Range(1, 303).Select(i => (long)i), page.Select(m => m.Seq));
        Assert.Equal(count, (await wh.Get())!.Stock.Single().OnHand);
    }

    [Fact]
    public async Task An_archive_page_skips_movements_it_already_has()
    {
        var page = fixture.Cluster.GrainFactory.GetGrain<IStockMovementArchiveGrain>(IStockMovementArchiveGrain.Key("WH-page", 0));
        StockMovement M(long seq) => new()
        {
            Seq = seq, ItemCode = "drinking-water", Kind = StockMovementKind.Receive, Change = 1, OnHandAfter = seq, Reason = "r", Actor = "t", At = DateTimeOffset.UnixEpoch,
        };
        await page.Append([M(1), M(2), M(3)]);
        await page.Append([M(2), M(3), M(4), M(5)]); // a retried move, with more since
        Assert.Equal([1L, 2, 3, 4, 5], (await page.Get()).Select(m => m.Seq));
    }
}
