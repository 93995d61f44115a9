using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Relief;

namespace HuaduDispatch.UnitTests.Relief;

/// <summary>
/// Many plans and stock movements at once: re-plans (which reserve, amend and cancel convoys), new assessments (which change
/// what the plans send) and stock issues and receipts race on two warehouses. Afterwards no stock is negative, nothing is
/// reserved twice, and every warehouse's reserved stock is exactly what its open convoys carry.
/// </summary>
public sealed class ReliefConcurrencyTests(TestClusterFixture fixture) : IClassFixture<TestClusterFixture>
{
    private IGrainFactory Grains => fixture.Cluster.GrainFactory;
    private static readonly Actor Dispatcher = new() { Subject = "dispatcher-wang", Role = Roles.Dispatcher };

    [Fact]
    public async Task Plans_amendments_assessments_and_stock_movements_at_once_never_overdraw_or_reserve_twice()
    {
        var codes = ReliefStandard.Default.Lines.Select(l => l.ItemCode).Distinct().ToList();
        const long Initial = 80; // blankets and the rest: less than the incidents together need, so the plans compete for it
        string[] warehouses = ["WH-C1", "WH-C2"];
        var baseWarehouse = ReferenceDataValidatorTests.Minimal().Warehouses[0];
        var set = ReferenceDataValidatorTests.Minimal() with
        {
            Items = [.. codes.Select(c => new ReliefItem { Code = c, NameZh = c, NameEn = c, Unit = "unit", WeightKg = 1, VolumeM3 = 0.001 })],
            Warehouses = [.. warehouses.Select((id, k) => baseWarehouse with
            {
                Id = id, Position = ReliefFixtures.P(23.40 + k * 0.01, 113.22), Fleet = new Fleet { Trucks = 3, CapacityKg = 5000, CapacityM3 = 20 },
                Stock = [.. codes.Select(c => new StockLine { ItemCode = c, Quantity = Initial })],
            })],
        };
        Assert.True((await Grains.GetGrain<IReferenceDataGrain>(ReferenceData.GrainKey).Load(set, "relief-concurrency")).Applied);
        string[] incidents = ["INC-RACE-1", "INC-RACE-2", "INC-RACE-3"];
        Task Assess(string id, int affected, int relocated) => Grains.GetGrain<IReliefDemandGrain>(id).Update(new ReliefDemandUpdate
        {
            Type = IncidentType.Flood, Location = ReliefFixtures.P(23.405, 113.225), OccurredAt = DateTimeOffset.UtcNow,
            Affected = affected, Relocated = relocated, Priority = 2, Open = true, AreaId = "xinhua",
        }, Dispatcher);
        foreach (var id in incidents) await Assess(id, 40, 10);
        var coordinator = Grains.GetGrain<IReliefCoordinatorGrain>(ReliefCoordinator.GrainKey);
        foreach (var id in incidents) await ReliefFixtures.UntilTracked(coordinator, id);
        await coordinator.Replan();

        var rng = new Random(2026);
        var moved = new System.Collections.Concurrent.ConcurrentDictionary<(string Warehouse, string Item), long>();
        async Task Move(string warehouse, string item, StockMovementKind kind, long quantity)
        {
            try
            {
                await Grains.GetGrain<IWarehouseGrain>(warehouse).RecordMovement(
                    new StockMovementRequest { ItemCode = item, Kind = kind, Quantity = quantity, Reason = "race" }, Dispatcher);
                moved.AddOrUpdate((warehouse, item), kind == StockMovementKind.Issue ? -quantity : quantity, (_, v) => v + (kind == StockMovementKind.Issue ? -quantity : quantity));
            }
            catch (DomainException) { } // 409: the stock is reserved or not there; refused whole
        }
        // Every convoy a plan of the race made or kept, so that the check below finds amendments made during the race even when
        // a later plan cancelled the amended convoy (only the survivors hold reservations at the end).
        var convoysOfTheRace = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>();
        async Task Plan()
        {
            foreach (var allocation in (await coordinator.Replan()).Allocations) convoysOfTheRace.TryAdd(allocation.ShipmentId, true);
        }
        var work = new List<Task>();
        for (var round = 0; round < 12; round++)
        {
            work.Add(Plan());
            work.Add(Assess(incidents[rng.Next(incidents.Length)], rng.Next(10, 80), rng.Next(0, 20)));
            for (var m = 0; m < 5; m++)
                work.Add(Move(warehouses[rng.Next(2)], codes[rng.Next(codes.Count)], rng.Next(3) == 0 ? StockMovementKind.Receive : StockMovementKind.Issue, rng.Next(1, 25)));
        }
        await Task.WhenAll(work);
        await coordinator.Replan(); // after the race: releases anything a cut-short commit left, as any plan does

        foreach (var id in warehouses)
        {
            var warehouse = (await Grains.GetGrain<IWarehouseGrain>(id).Get())!;
            var held = await Grains.GetGrain<IWarehouseGrain>(id).GetHeldReservations();
            var convoys = (await Task.WhenAll(held.Select(r => Grains.GetGrain<IShipmentGrain>(r).Get()))).ToList();
            Assert.All(convoys, c => Assert.True(c is { Status: ShipmentStatus.Planned or ShipmentStatus.Loading } && c.WarehouseId == id,
                $"{id}: a held reservation without an open convoy of this warehouse: {c?.Id} {c?.Status}"));
            foreach (var line in warehouse.Stock)
            {
                Assert.True(line.Reserved >= 0 && line.Reserved <= line.OnHand, $"{id} {line.ItemCode}: {line.Reserved} reserved of {line.OnHand}");
                Assert.Equal(Initial + moved.GetValueOrDefault((id, line.ItemCode)), line.OnHand);
                Assert.Equal(convoys.SelectMany(c => c!.Lines).Where(l => l.ItemCode == line.ItemCode).Sum(l => l.Quantity), line.Reserved);
            }
        }
        // Re-plans amended convoys in place: their plan number is later than the one in their id (SHP-{plan}-...). Until
        // 2026-12-04 only the convoys still open at the end were looked at; in a full test run the last plans sometimes
        // replaced every amended one, and the check failed although the race had amended convoys.
        var amended = 0;
        foreach (var id in convoysOfTheRace.Keys)
            if (await Grains.GetGrain<IShipmentGrain>(id).Get() is { } c && c.PlanId > long.Parse(id.Split('-')[1], System.Globalization.CultureInfo.InvariantCulture)) amended++;
        Assert.True(amended > 0, $"none of the {convoysOfTheRace.Count} convoys of the race's plans was amended: the race did not test amendments");
        var plan = (await coordinator.GetPlan())!;
        Assert.NotEmpty(plan.Allocations);
        Assert.True(moved.Values.Any(v => v != 0), "no stock movement went through: the race was not tested");
    }
}
