using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using HuaduDispatch.Contracts;

namespace HuaduDispatch.RealtimeBench;

/// <summary>
/// The relief coordinator at work beside the consoles (<c>relief=N</c>): N incidents with affected and relocated people, a
/// district-wide surge that the node's coordinator plans at its configured budget, and during a phase a stock movement every
/// <c>relief-every</c> seconds, each of which asks the coordinator for a re-plan (paced by <c>Relief:PlannerShare</c>, as in
/// the field). Everything goes through the REST API as a dispatcher would send it; the plans are made by the node as it is built.
/// </summary>
public sealed class ReliefChurn(HttpClient dispatcher, string[] warehouseIds, string itemCode)
{
    private int _movements;

    /// <summary>
    /// Reports <paramref name="incidents"/> incidents (seeded: places in the district, 100 to 3,000 affected people, 20 to 40 %
    /// of them relocated) and waits until the coordinator's plan covers them all (at most 120 s).
    /// </summary>
    public static async Task<(ReliefChurn Churn, ReliefPlan Plan, TimeSpan Took)> SeedAsync(HttpClient dispatcher, int incidents, int seed, CancellationToken ct)
    {
        var took = Stopwatch.StartNew();
        var random = new Random(seed);
        IncidentType[] types = [IncidentType.Typhoon, IncidentType.Flood, IncidentType.Waterlogging, IncidentType.Rainstorm, IncidentType.Landslide];
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < incidents; i++)
        {
            var affected = random.Next(100, 3001);
            var relocated = (int)(affected * (0.2 + 0.2 * random.NextDouble()));
            var body = JsonSerializer.Serialize(new
            {
                type = types[random.Next(types.Length)].ToString(),
                title = $"Typhoon surge, bench incident {i + 1}",
                location = new { lat = Math.Round(23.30 + 0.27 * random.NextDouble(), 5), lon = Math.Round(113.05 + 0.35 * random.NextDouble(), 5) },
                occurredAt = now.AddSeconds(-random.Next(0, 600)),
                source = "console",
                assessment = new { affected, relocated },
            });
            using var response = await dispatcher.PostAsync("/api/v1/incidents", new StringContent(body, Encoding.UTF8, "application/json"), ct);
            if (!response.IsSuccessStatusCode)
                throw new InvalidOperationException($"reporting a relief incident: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
        }
        var warehouses = await dispatcher.GetFromJsonAsync<List<Warehouse>>("/api/v1/warehouses", DispatchJson.Options, ct) ?? [];
        var ids = warehouses.Where(w => w.Kind != WarehouseKind.AgreementReserve && w.Fleet.Trucks > 0).Select(w => w.Id).ToArray();
        while (true)
        {
            using (var response = await dispatcher.GetAsync("/api/v1/relief/plan", ct))
                if (response.IsSuccessStatusCode && await response.Content.ReadFromJsonAsync<ReliefPlan>(DispatchJson.Options, ct) is { } plan
                    && plan.Demands >= incidents)
                {
                    // Receipts of an item the plan is short of ask the coordinator for a re-plan (other items do not).
                    var item = plan.Shortfalls.FirstOrDefault(ReliefCityRequest.NeedsCity)?.ItemCode
                        ?? throw new InvalidOperationException("the surge's plan has no shortfall that new stock could cover; receipts would ask for no re-plan");
                    return (new ReliefChurn(dispatcher, ids, item), plan, took.Elapsed);
                }
            if (took.Elapsed > TimeSpan.FromSeconds(120))
                throw new TimeoutException($"the coordinator had no plan covering the {incidents} incidents within 120 s");
            await Task.Delay(500, ct);
        }
    }

    public async Task<ReliefPlan?> PlanAsync(CancellationToken ct)
    {
        using var response = await dispatcher.GetAsync("/api/v1/relief/plan", ct);
        if (!response.IsSuccessStatusCode) return null;
        return await response.Content.ReadFromJsonAsync<ReliefPlan>(DispatchJson.Options, ct);
    }

    /// <summary>
    /// Until <paramref name="ct"/> is cancelled: one stock movement (Receive 1 unit of an item the first plan was short of, a warehouse in turn) every
    /// <paramref name="every"/>, and the plan read every 500 ms. Returns the plans made meanwhile (their ids, as read).
    /// </summary>
    /// <param name="byPlan">Instead of a stock movement, <c>POST /api/v1/relief/plan</c>: a re-plan with nothing changed, as the
    /// coordinator's own reminders make (trucks back, a retry, the backstop).</param>
    public async Task<ChurnResult> RunAsync(TimeSpan every, bool byPlan, CancellationToken ct)
    {
        var plans = new SortedDictionary<long, ReliefPlan>();
        var errors = 0;
        var next = Stopwatch.StartNew();
        var readAt = TimeSpan.Zero;
        var moveAt = TimeSpan.Zero;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                if (next.Elapsed >= moveAt)
                {
                    moveAt += every;
                    if (byPlan)
                    {
                        using var response = await dispatcher.PostAsync("/api/v1/relief/plan", null, ct);
                        if (!response.IsSuccessStatusCode) errors++;
                    }
                    else
                    {
                        var warehouse = warehouseIds[_movements++ % warehouseIds.Length];
                        var body = $$"""{"itemCode":"{{itemCode}}","quantity":1,"kind":"Receive","reason":"bench: a delivery that asks for a re-plan"}""";
                        using var response = await dispatcher.PostAsync($"/api/v1/warehouses/{Uri.EscapeDataString(warehouse)}/stock-movements",
                            new StringContent(body, Encoding.UTF8, "application/json"), ct);
                        if (!response.IsSuccessStatusCode) errors++;
                    }
                }
                if (next.Elapsed >= readAt)
                {
                    readAt += TimeSpan.FromMilliseconds(500);
                    if (await PlanAsync(ct) is { } plan) plans[plan.PlanId] = plan;
                }
                var wait = (moveAt < readAt ? moveAt : readAt) - next.Elapsed;
                if (wait > TimeSpan.Zero) await Task.Delay(wait, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        return new ChurnResult([.. plans.Values], errors);
    }

    public sealed record ChurnResult(IReadOnlyList<ReliefPlan> Plans, int Errors)
    {
        /// <summary>The plans computed from <paramref name="since"/> on.</summary>
        public string Describe(DateTimeOffset since) =>
            Plans.Where(p => p.ComputedAt >= since).ToList() is var made && made.Count == 0
                ? $"relief: no re-plan made (errors {Errors})"
                : $"relief: {made.Count} re-plans made (plan ids {made[0].PlanId} to {made[^1].PlanId}), weighted people covered " +
                  $"{string.Join(" ", made.Select(p => p.PeopleCoveredWeighted.ToString("0", CultureInfo.InvariantCulture)))}; errors {Errors}";
    }
}
