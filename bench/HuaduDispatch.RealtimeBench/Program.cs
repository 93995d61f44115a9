using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using HuaduDispatch.Contracts;
using HuaduDispatch.RealtimeBench;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

if (BenchOptions.Parse(args) is not { } options)
{
    Console.WriteLine("usage: dotnet run -c Release --project bench/HuaduDispatch.RealtimeBench -- [consoles=200] [rate=1000] [seconds=20]");
    Console.WriteLine("       extra settings as key=value: clients=26 max-clients=32 max-seconds=8 pgbench-seconds=10 warmup-seconds=20 lean=1 (lean=0: consoles bind the full Delta contract)");
    Console.WriteLine("       raw=1: protocol consoles (a WebSocket speaking the SignalR JSON protocol) instead of the .NET SignalR client");
    Console.WriteLine("       raw-driver=1: protocol HTTP/1.1 clients for the REST driver instead of HttpClient");
    Console.WriteLine("       pairs=N: then N alternating pairs of pgbench and the node's max rate without consoles, each ratio within its pair");
    Console.WriteLine("       scan=0: protocol consoles read every record with Utf8JsonReader instead of scanning for the fields (each 16th record is read both ways by default)");
    Console.WriteLine("       storm=N: halfway through the rated run, N more consoles connect and subscribe to \"district\" (16 at a time), as after a node restart");
    Console.WriteLine("       relief=N: N incidents with affected people (a surge the relief coordinator plans), and during the rated run a stock movement every relief-every=1 s asking for a re-plan (relief-by-plan=1: POST /api/v1/relief/plan instead)");
    Console.WriteLine($"       {BenchPostgres.EnvironmentVariable}=<connection string> uses that server (a database is created and dropped) instead of a throwaway one");
    return 2;
}
BenchConsole.ScanRecords = options.Raw && options.Scan;

var tempDir = Path.Combine(Path.GetTempPath(), "huadu-rtbench-" + Guid.NewGuid().ToString("N")[..12]);
Directory.CreateDirectory(tempDir);
var postgres = new BenchPostgres(tempDir);
var cleanup = new Cleanup(postgres, tempDir);
using var cts = new CancellationTokenSource();
cts.CancelAfter(TimeSpan.FromMinutes(10)); // watchdog: everything stops by itself

void OnSignal(PosixSignalContext context)
{
    if (!cts.IsCancellationRequested)
    {
        context.Cancel = true;
        Console.Error.WriteLine($"{context.Signal}: stopping; the node, the consoles and PostgreSQL are being stopped and {tempDir} removed (again to force).");
        cts.Cancel();
        return;
    }
    cleanup.Run(); // a second signal: stop PostgreSQL now, then let the process end
}
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
AppDomain.CurrentDomain.ProcessExit += (_, _) => cleanup.Run();

var bench = new RealtimeBench(options, postgres);
try
{
    return await bench.RunAsync(cts.Token);
}
catch (OperationCanceledException) when (cts.IsCancellationRequested)
{
    Console.Error.WriteLine("Stopped before the end (signal or 10-minute watchdog).");
    return 130;
}
finally
{
    await bench.DisposeAsync();
    cleanup.Run();
    Console.WriteLine($"Cleaned up: {(postgres.External ? "benchmark database dropped" : "PostgreSQL stopped")}, {tempDir} removed.");
}

namespace HuaduDispatch.RealtimeBench
{
    public sealed record BenchOptions(int Consoles, double Rate, int Seconds, int Clients, int MaxClients, int MaxSeconds, int PgbenchSeconds, int WarmupSeconds, bool Lean, bool Raw, bool RawDriver, int Pairs, bool Scan, int Storm, int Relief, double ReliefEvery, bool ReliefByPlan)
    {
        public static BenchOptions? Parse(string[] args)
        {
            var o = new BenchOptions(200, 1000, 20, 26, 32, 8, 10, 20, true, false, false, 0, true, 0, 0, 1, false);
            string[] positional = ["consoles", "rate", "seconds"];
            var p = 0;
            foreach (var arg in args)
            {
                var eq = arg.IndexOf('=');
                var (key, value) = eq > 0 ? (arg[..eq], arg[(eq + 1)..]) : (p < positional.Length ? positional[p++] : "", arg);
                if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || v < 0) return null;
                var i = (int)v;
                o = key switch
                {
                    "consoles" => o with { Consoles = i },
                    "rate" when v > 0 => o with { Rate = v },
                    "seconds" when i > 0 => o with { Seconds = i },
                    "clients" when i > 0 => o with { Clients = i },
                    "max-clients" when i > 0 => o with { MaxClients = i },
                    "max-seconds" when i > 0 => o with { MaxSeconds = i },
                    "pgbench-seconds" when i > 0 => o with { PgbenchSeconds = i },
                    "warmup-seconds" => o with { WarmupSeconds = i },
                    "lean" when i <= 1 => o with { Lean = i == 1 },
                    "raw" when i <= 1 => o with { Raw = i == 1 },
                    "raw-driver" when i <= 1 => o with { RawDriver = i == 1 },
                    "pairs" => o with { Pairs = i },
                    "scan" when i <= 1 => o with { Scan = i == 1 },
                    "storm" => o with { Storm = i },
                    "relief" => o with { Relief = i },
                    "relief-every" when v > 0 => o with { ReliefEvery = v },
                    "relief-by-plan" when i <= 1 => o with { ReliefByPlan = i == 1 },
                    _ => null,
                };
                if (o is null) return null;
            }
            return o;
        }
    }

    /// <summary>Stops PostgreSQL (or drops the database) and removes the temp directory, once, from wherever it is called first.</summary>
    public sealed class Cleanup(BenchPostgres postgres, string tempDir)
    {
        private int _done;

        public void Run()
        {
            if (Interlocked.Exchange(ref _done, 1) == 1) return;
            postgres.Cleanup();
            try { Directory.Delete(tempDir, recursive: true); }
            catch (IOException e) { Console.Error.WriteLine($"Could not remove {tempDir}: {e.Message}"); }
            catch (UnauthorizedAccessException e) { Console.Error.WriteLine($"Could not remove {tempDir}: {e.Message}"); }
        }
    }

    public sealed record PhaseReport(DriveResult Drive, int Consoles, long Expected, long Delivered, long Missing, int Duplicates, int Gaps,
        int Mismatched, int Disconnects, long UnackedDelivered, long Messages, long DistrictDeltas, int[] RoundTripUs, int[] LatencyUs, int[] SlowestUs,
        int ScanFallbacks, int ScanDisagreements);

    public sealed class RealtimeBench(BenchOptions o, BenchPostgres postgres) : IAsyncDisposable
    {
        private const double AimP99Ms = 25, AimRate = 1000, AimConsoles = 200, AimPgbenchShare = 0.5;
        private BenchNode? _node;
        private Driver? _driver;
        private readonly List<BenchConsole> _consoles = [];
        private UpdateLog _log = null!;

        public async Task<int> RunAsync(CancellationToken ct)
        {
            var total = Stopwatch.StartNew();
            Console.WriteLine($"HuaduDispatch real-time benchmark: {o.Consoles} consoles on \"district\", {o.Rate:0} position reports/s over REST for {o.Seconds} s " +
                $"({o.Clients} HTTP clients), then max rate ({o.MaxClients} HTTP clients, {o.MaxSeconds} s) with and without the consoles; pgbench reference.");
            Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, shared by everything: this one process runs the node (Orleans silo + Kestrel + SignalR), " +
                $"the {o.Consoles} SignalR console clients and the REST driver (one thread pool, {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC, " +
                $"tiered compilation {(TieredCompilation() ? "on" : "off: fully optimised code from the first call, no tier-up during the run")}); " +
                "PostgreSQL runs beside it. pgbench runs while the node is idle and no console is connected. Everything on 127.0.0.1.");
            Console.WriteLine($"Load average at start: {LoadAverage.Read()} (other work on the machine shows as \"other processes\" in the CPU lines).");

            // 1. PostgreSQL, schema, node.
            var step = Stopwatch.StartNew();
            await postgres.StartAsync(ct);
            var version = await BenchNode.MigrateAsync(postgres.ConnectionString, ct);
            Console.WriteLine($"PostgreSQL: {postgres.Description}; {await postgres.SettingsAsync(ct)}; schema migrated to version {version} ({step.Elapsed.TotalSeconds:0.0} s)");
            step.Restart();
            var (nodeConnectionString, poolNote) = await postgres.NodeConnectionStringAsync(ct);
            GroupCommits.Touch();
            _node = await BenchNode.StartAsync(nodeConnectionString, ct);
            Console.WriteLine($"Node: PostgreSQL mode ({poolNote}), {_node.BaseAddress}, ready in {step.Elapsed.TotalSeconds:0.0} s");

            using var dispatcher = new HttpClient { BaseAddress = _node.BaseAddress };
            dispatcher.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _node.Token(Roles.Dispatcher, subject: "bench"));
            var teamList = await dispatcher.GetFromJsonAsync<List<RescueTeam>>("/api/v1/teams", DispatchJson.Options, ct) ?? [];
            var teams = teamList.Select(t => new TeamInfo(t.Id, t.HomeBase.Lat, t.HomeBase.Lon, $"/api/v1/teams/{Uri.EscapeDataString(t.Id)}/position",
                new AuthenticationHeaderValue("Bearer", _node.Token(Roles.Team, teamId: t.Id)))).ToArray();
            var payload = await postgres.ScalarAsync<int>("SELECT COALESCE(avg(octet_length(payload)), 500)::int FROM grain_state WHERE state_name = 'team'", ct);
            Console.WriteLine($"Teams: {teams.Length} ({string.Join(" ", teams.Select(t => t.Id))}); a team's stored state is {payload} bytes of JSON");

            // 2. The reference: pgbench on the same server (again before the last run; the machine is shared, so the mean is used).
            Console.WriteLine();
            var pg1 = await PgbenchAsync("Reference 1/2", payload, ct);

            // 2b. Optional: a relief surge for the coordinator to plan, before the consoles connect (their snapshot holds it).
            ReliefChurn? churn = null;
            if (o.Relief > 0)
            {
                var (seeded, plan, took) = await ReliefChurn.SeedAsync(dispatcher, o.Relief, seed: 2026, ct);
                churn = seeded;
                var coordinatorBytes = await postgres.ScalarAsync<int>("SELECT COALESCE(max(octet_length(payload)), 0)::int FROM grain_state WHERE state_name = 'relief-coordinator'", ct);
                var demandBytes = await postgres.ScalarAsync<int>("SELECT COALESCE(avg(octet_length(payload)), 0)::int FROM grain_state WHERE state_name = 'relief-demand'", ct);
                Console.WriteLine($"Relief: {o.Relief} incidents with affected people reported and planned in {took.TotalSeconds:0.0} s: plan {plan.PlanId}, " +
                    $"{plan.Demands} demands, {plan.PeopleCovered} people ({plan.PeopleCoveredWeighted:0} weighted) covered, {plan.Allocations.Count} allocation lines, " +
                    $"{plan.Shortfalls.Count} shortfall lines, solver {plan.Solver}; stored state: the coordinator's {coordinatorBytes / 1024.0:0} KB, a demand's {demandBytes / 1024.0:0.0} KB on average");
            }

            // 3. Consoles.
            _log = new UpdateLog(teams.Select(t => t.Id).ToArray());
            _driver = new Driver(_node.BaseAddress, teams, _log, Math.Max(o.Clients, o.MaxClients), o.RawDriver);
            step.Restart();
            await ConnectConsolesAsync(o.Consoles, "console", _log, _consoles, ct);
            var kind = o.Raw
                ? "protocol consoles (a WebSocket speaking the SignalR JSON protocol; " + (o.Scan
                    ? "each record scanned for the envelope, team id and position.at, every 16th also read with Utf8JsonReader to check the scan)"
                    : "each record read once with Utf8JsonReader for the envelope, team id and position.at)")
                : $"SignalR clients (the .NET client, WebSockets, JSON protocol, {(o.Lean ? "lean binding: envelope, team id and position.at" : "full binding: the Delta contract, data as JsonElement")})";
            Console.WriteLine($"Consoles: {_consoles.Count} {kind} connected and subscribed to \"district\" in {step.Elapsed.TotalSeconds:0.0} s");

            // 4. Warm-up (discarded) until tier-up compilation has settled, then the rated run. The relief churn runs through both,
            //    so that the re-plans' code is compiled before the rated run too.
            using var churnStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var churning = churn?.RunAsync(TimeSpan.FromSeconds(o.ReliefEvery), o.ReliefByPlan, churnStop.Token);
            await WarmUpAsync(ct);
            Console.WriteLine();
            using var sampler = Environment.GetEnvironmentVariable("HUADU_BENCH_ALLOCATIONS") == "1" ? new AllocationSampler() : null;
            sampler?.Reset();
            var cpu = CpuSample.Take();
            var ratedStart = DateTimeOffset.UtcNow;
            var storm = o.Storm > 0 ? StormAsync(teams.Select(t => t.Id).ToArray(), ct) : null;
            var rated = await PhaseAsync("rated", o.Clients, o.Rate, o.Seconds, ct, beforeMeasuring: () => churnStop.Cancel());
            Print($"Rated run: {o.Rate:0} reports/s for {o.Seconds} s, {o.Clients} HTTP clients, {rated.Consoles} consoles", rated, CpuSample.Describe(cpu, CpuSample.Take()));
            if (churning is not null)
                Console.WriteLine($"  {(await churning).Describe(ratedStart)}; {(o.ReliefByPlan ? "POST /api/v1/relief/plan" : "a stock movement")} every {o.ReliefEvery:0.##} s during the run");
            if (storm is not null)
            {
                var (stormConsoles, took) = await storm;
                Console.WriteLine($"  storm: {stormConsoles.Count} more consoles connected and subscribed to \"district\" halfway through, in {took.TotalSeconds:0.0} s " +
                    $"(their deliveries are not counted above; seq gaps among them {stormConsoles.Sum(c => c.Gaps)})");
                foreach (var c in stormConsoles) await c.DisposeAsync();
            }
            if (sampler is not null)
                foreach (var (type, bytes) in sampler.Top(40)) Console.WriteLine($"    {bytes / 1e6,8:0.0} MB  {type}");

            // 5. Max rate with the consoles, then without them.
            Console.WriteLine();
            cpu = CpuSample.Take();
            var maxWith = await PhaseAsync("max-with-consoles", o.MaxClients, null, o.MaxSeconds, ct);
            Print($"Max-rate run WITH the {maxWith.Consoles} consoles: as fast as {o.MaxClients} HTTP clients go for {o.MaxSeconds} s", maxWith,
                CpuSample.Describe(cpu, CpuSample.Take()));
            await DisconnectConsolesAsync();
            Console.WriteLine();
            var pg2 = await PgbenchAsync("Reference 2/2", payload, ct);
            var pg = (pg1.Tps + pg2.Tps) / 2;
            sampler?.Reset();
            cpu = CpuSample.Take();
            var maxWithout = await PhaseAsync("max-without-consoles", o.MaxClients, null, o.MaxSeconds, ct);
            Print($"Max-rate run WITHOUT consoles: as fast as {o.MaxClients} HTTP clients go for {o.MaxSeconds} s", maxWithout,
                CpuSample.Describe(cpu, CpuSample.Take()));
            if (sampler is not null)
                foreach (var (type, bytes) in sampler.Top(40)) Console.WriteLine($"    {bytes / 1e6,8:0.0} MB  {type}");

            // 5b. Optional: pgbench and the node's max rate alternately, each ratio taken within its pair, so that a change in the
            //     host's load between the references and the runs moves both sides of a ratio alike.
            double? paired = null;
            if (o.Pairs > 0)
            {
                Console.WriteLine();
                Console.WriteLine($"Alternating pairs: pgbench for {o.PgbenchSeconds} s, then the node without consoles for {o.MaxSeconds} s, {o.Pairs} times; each ratio within its pair");
                var ratios = new List<double>();
                for (var i = 1; i <= o.Pairs; i++)
                {
                    var reference = await PgbenchAsync($"Pair {i}/{o.Pairs}", payload, ct);
                    cpu = CpuSample.Take();
                    var run = await PhaseAsync("pair", o.MaxClients, null, o.MaxSeconds, ct);
                    var ratio = run.Drive.AckedPerSecond / Math.Max(1, reference.Tps);
                    ratios.Add(ratio);
                    Console.WriteLine($"  node {run.Drive.AckedPerSecond:0} durable updates/s (errors {run.Drive.Errors}) = {ratio:0.00} x this pair's {reference.Tps:0} tps; " +
                        CpuSample.Describe(cpu, CpuSample.Take()));
                }
                paired = Median(ratios);
                Console.WriteLine($"  ratios {string.Join(", ", ratios.Select(r => r.ToString("0.00", CultureInfo.InvariantCulture)))}: median {paired:0.00} x");
            }

            // 6. Summary.
            var p99 = P(rated.LatencyUs, 0.99) / 1000.0;
            var lossless = rated.Missing == 0 && rated.Gaps == 0 && rated.Disconnects == 0 && rated.ScanDisagreements == 0;
            var loadHeld = rated.Drive.Errors == 0 && rated.Drive.NotSent == 0 && rated.Drive.AckedPerSecond >= 0.95 * o.Rate;
            Console.WriteLine();
            Console.WriteLine("Summary");
            Console.WriteLine($"  pgbench reference (8 clients, single-row upsert): {pg:0} tps (mean of {pg1.Tps:0} and {pg2.Tps:0})");
            Console.WriteLine($"  rated run:            {rated.Drive.AckedPerSecond,7:0} durable updates/s = {rated.Drive.AckedPerSecond / pg:0.00} x pgbench (target {o.Rate:0}/s)");
            Console.WriteLine($"  max rate, consoles:   {maxWith.Drive.AckedPerSecond,7:0} durable updates/s = {maxWith.Drive.AckedPerSecond / pg:0.00} x pgbench");
            Console.WriteLine($"  max rate, no console: {maxWithout.Drive.AckedPerSecond,7:0} durable updates/s = {maxWithout.Drive.AckedPerSecond / pg:0.00} x pgbench");
            Console.WriteLine($"  200 -> console latency at {rated.Drive.AckedPerSecond:0}/s with {rated.Consoles} consoles: p50 {Percentiles.Ms(P(rated.LatencyUs, 0.5))}, " +
                $"p99 {p99:0.0} ms, max {Percentiles.Ms(P(rated.LatencyUs, 1))}; delivered {rated.Delivered}/{rated.Expected}");
            Console.WriteLine();
            Console.WriteLine("Aims");
            var atAimLoad = o.Rate >= AimRate && o.Consoles >= AimConsoles;
            var aim1 = atAimLoad && loadHeld && lossless && p99 < AimP99Ms;
            var aim1Why = !atAimLoad ? $"not tested at the aim's load: this run used {o.Rate:0}/s and {o.Consoles} consoles; at that load p99 {p99:0.0} ms {(p99 < AimP99Ms ? "<" : ">=")} 25 ms"
                : !loadHeld ? $"the node did not hold {o.Rate:0}/s ({rated.Drive.AckedPerSecond:0}/s, {rated.Drive.Errors} errors, {rated.Drive.NotSent} not sent); p99 {p99:0.0} ms"
                : !lossless ? $"deliveries were lost or misread ({rated.Missing} missing, {rated.Gaps} seq gaps, {rated.Disconnects} disconnects, {rated.ScanDisagreements} scan disagreements); p99 {p99:0.0} ms"
                : $"p99 {p99:0.0} ms {(p99 < AimP99Ms ? "<" : ">=")} 25 ms, all {rated.Expected} deliveries arrived";
            var consoleKind = o.Raw ? "protocol consoles" : ".NET SignalR client consoles";
            Console.WriteLine($"  \"p99 under 25 ms at 1,000 updates/s with 200 consoles\": {(aim1 ? "MET" : "NOT MET")} ({aim1Why}; {consoleKind})");
            var share = maxWithout.Drive.AckedPerSecond / pg;
            var shareWith = maxWith.Drive.AckedPerSecond / pg;
            Console.WriteLine($"  \"sustained durable updates at least half of pgbench's rate\" (max-rate run without consoles): " +
                $"{(share >= AimPgbenchShare ? "MET" : "NOT MET")} ({maxWithout.Drive.AckedPerSecond:0}/s = {share:0.00} x {pg:0} tps)");
            Console.WriteLine($"      the same with the {maxWith.Consoles} consoles connected (they share the 2 cores): " +
                $"{(shareWith >= AimPgbenchShare ? "MET" : "NOT MET")} ({maxWith.Drive.AckedPerSecond:0}/s = {shareWith:0.00} x)");
            if (paired is { } median)
                Console.WriteLine($"      the same judged on the {o.Pairs} alternating pairs (median of the ratios within each pair): {(median >= AimPgbenchShare ? "MET" : "NOT MET")} ({median:0.00} x)");
            Console.WriteLine($"Total run time {total.Elapsed.TotalSeconds:0} s.");
            return 0;
        }

        private async Task<BenchPostgres.PgbenchResult> PgbenchAsync(string title, int payload, CancellationToken ct)
        {
            var cpu = CpuSample.Take();
            var r = await postgres.PgbenchAsync(payload, clients: 8, threads: 2, o.PgbenchSeconds, ct);
            Console.WriteLine($"{title}: {r.Command}: one INSERT ... ON CONFLICT (id) DO UPDATE of a {r.PayloadBytes}-byte bytea row, random id of 26, " +
                $"one transaction each: {r.Tps:0} tps (latency average {r.LatencyAverageMs:0.00} ms, {r.Transactions} transactions)");
            Console.WriteLine($"  {CpuSample.Describe(cpu, CpuSample.Take()).Replace("this process (node + consoles + driver)", "this process (idle node)")}; pgbench and its server connections count as other");
            return r;
        }

        private static bool TieredCompilation() =>
            Environment.GetEnvironmentVariable("DOTNET_TieredCompilation") is { Length: > 0 } env
                ? env != "0"
                : AppContext.GetData("System.Runtime.TieredCompilation") is not (false or "false" or "False");

        private static int P(int[] sorted, double p) => sorted.Length == 0 ? 0 : Percentiles.Of(sorted, p);

        private static double Median(List<double> values)
        {
            var sorted = values.Order().ToArray();
            var mid = sorted.Length / 2;
            return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        }

        /// <summary>
        /// Halfway through the rated run, <c>storm</c> more consoles connect and subscribe (16 at a time), as when a node restarts
        /// and its consoles come back at once. They keep their own (empty) report log, so they check their sequence but add nothing
        /// to the rated run's deliveries; what the storm does to the 200 consoles' latency shows in the rated figures.
        /// </summary>
        private async Task<(List<BenchConsole> Consoles, TimeSpan Took)> StormAsync(string[] teamIds, CancellationToken ct)
        {
            await Task.Delay(TimeSpan.FromSeconds(o.Seconds / 2.0), ct);
            var consoles = new List<BenchConsole>();
            var took = Stopwatch.StartNew();
            await ConnectConsolesAsync(o.Storm, "storm", new UpdateLog(teamIds), consoles, ct);
            return (consoles, took.Elapsed);
        }

        /// <summary>Connects <paramref name="count"/> consoles, 16 at a time, each subscribed to "district", into <paramref name="into"/>.</summary>
        private async Task ConnectConsolesAsync(int count, string subject, UpdateLog log, List<BenchConsole> into, CancellationToken ct)
        {
            using var gate = new SemaphoreSlim(16);
            await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
            {
                await gate.WaitAsync(ct);
                try
                {
                    var token = _node!.Token(Roles.Dispatcher, subject: $"{subject}-{i:000}");
                    var console = o.Raw
                        ? await BenchConsole.ConnectRawAsync(_node.BaseAddress, token, log, ct)
                        : await BenchConsole.ConnectAsync(_node.BaseAddress, token, log, o.Lean, ct);
                    lock (into) into.Add(console);
                }
                finally
                {
                    gate.Release();
                }
            }));
        }

        private async Task DisconnectConsolesAsync()
        {
            BenchConsole[] all;
            lock (_consoles)
            {
                all = [.. _consoles];
                _consoles.Clear();
            }
            await Task.WhenAll(all.Select(c => c.DisposeAsync().AsTask())).WaitAsync(TimeSpan.FromSeconds(20)).ContinueWith(_ => { });
        }

        /// <summary>
        /// Runs the rated load in slices of 5 s for at least warmup-seconds, and on until a slice compiles fewer than
        /// <see cref="SettledJitMethods"/> methods (at most <see cref="MaxWarmupSeconds"/>): the runtime recompiles hot methods
        /// (tier-up) in the background, and on 2 busy cores that takes tens of seconds; the rated run measures the steady state.
        /// </summary>
        private async Task WarmUpAsync(CancellationToken ct)
        {
            if (o.WarmupSeconds == 0) return;
            var total = Stopwatch.StartNew();
            var slices = new List<string>();
            while (true)
            {
                var before = System.Runtime.JitInfo.GetCompiledMethodCount();
                var warm = await PhaseAsync("warm-up", o.Clients, o.Rate, 5, ct, grace: TimeSpan.FromSeconds(1));
                var jitted = System.Runtime.JitInfo.GetCompiledMethodCount() - before;
                slices.Add($"{warm.Drive.AckedPerSecond:0}/s {jitted} JIT");
                var done = total.Elapsed.TotalSeconds >= o.WarmupSeconds && jitted < SettledJitMethods;
                if (done || total.Elapsed.TotalSeconds >= MaxWarmupSeconds)
                {
                    Console.WriteLine($"Warm-up (discarded, {total.Elapsed.TotalSeconds:0} s at {o.Rate:0}/s in 5 s slices until a slice compiles fewer than {SettledJitMethods} methods" +
                        $"{(done ? "" : $"; stopped at {MaxWarmupSeconds} s without settling")}): {string.Join(", ", slices)}; last slice {warm.Delivered}/{warm.Expected} delivered, p99 {Percentiles.Ms(P(warm.LatencyUs, 0.99))}");
                    return;
                }
            }
        }

        private const int SettledJitMethods = 100, MaxWarmupSeconds = 120;

        /// <summary>Drives one phase, waits until every acknowledged report reached every console (or 3 s pass with nothing new, at most 30 s), then measures.</summary>
        private async Task<PhaseReport> PhaseAsync(string name, int clients, double? rate, int seconds, CancellationToken ct, TimeSpan? grace = null,
            Action? beforeMeasuring = null)
        {
            var consoles = _consoles.ToArray();
            var closedBefore = consoles.Sum(c => Volatile.Read(ref c.Closed));
            var messagesBefore = consoles.Sum(c => Volatile.Read(ref c.Messages));
            var deltasBefore = consoles.Sum(c => Volatile.Read(ref c.DistrictDeltas));
            var fallbacksBefore = consoles.Sum(c => Volatile.Read(ref c.ScanFallbacks));
            var disagreementsBefore = consoles.Sum(c => Volatile.Read(ref c.ScanDisagreements));
            var deliveredBefore = _log.Deliveries;
            var drive = await _driver!.RunAsync(name, clients, rate, TimeSpan.FromSeconds(seconds), ct, grace);
            beforeMeasuring?.Invoke();

            var expected = (long)drive.Acked * consoles.Length;
            var deadline = Stopwatch.StartNew();
            var quiet = Stopwatch.StartNew();
            var seen = _log.Deliveries;
            while (_log.Deliveries - deliveredBefore < expected && quiet.Elapsed < TimeSpan.FromSeconds(3) && deadline.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(50, ct);
                if (_log.Deliveries != seen)
                {
                    seen = _log.Deliveries;
                    quiet.Restart();
                }
            }

            var roundTrips = new List<int>(drive.Acked);
            var latencies = new int[expected];
            var slowest = new List<int>(drive.Acked);
            long delivered = 0, missing = 0, unacked = 0;
            for (var n = drive.FirstUpdate; n < drive.EndUpdate; n++)
            {
                var ack = _log.AckUs(n);
                if (ack < 0)
                {
                    unacked += consoles.Count(c => c.ReceivedUs(n) >= 0);
                    continue;
                }
                roundTrips.Add(ack - _log.SentUs(n));
                var worst = int.MinValue;
                var complete = true;
                foreach (var c in consoles)
                {
                    var r = c.ReceivedUs(n);
                    if (r < 0)
                    {
                        missing++;
                        complete = false;
                        continue;
                    }
                    latencies[delivered++] = r - ack;
                    worst = Math.Max(worst, r - ack);
                }
                if (complete && consoles.Length > 0) slowest.Add(worst);
            }
            var lat = latencies[..(int)delivered];
            Array.Sort(lat);
            var rtt = roundTrips.ToArray();
            Array.Sort(rtt);
            var slow = slowest.ToArray();
            Array.Sort(slow);
            return new PhaseReport(drive, consoles.Length, expected, delivered, missing, consoles.Sum(c => c.Duplicates), consoles.Sum(c => c.Gaps),
                consoles.Sum(c => c.Mismatched), consoles.Sum(c => Volatile.Read(ref c.Closed)) - closedBefore, unacked,
                consoles.Sum(c => Volatile.Read(ref c.Messages)) - messagesBefore, consoles.Sum(c => Volatile.Read(ref c.DistrictDeltas)) - deltasBefore, rtt, lat, slow,
                consoles.Sum(c => Volatile.Read(ref c.ScanFallbacks)) - fallbacksBefore, consoles.Sum(c => Volatile.Read(ref c.ScanDisagreements)) - disagreementsBefore);
        }

        private static void Print(string title, PhaseReport r, string cpu)
        {
            var d = r.Drive;
            Console.WriteLine(title);
            Console.WriteLine($"  acknowledged (200): {d.Acked} in {d.ElapsedSeconds:0.00} s = {d.AckedPerSecond:0} durable updates/s" +
                $"; errors {d.Errors}{(d.FirstError is { } e ? $" (first: {Trim(e)})" : "")}" +
                (d.NotSent > 0 ? $"; not sent (node behind schedule at the stop) {d.NotSent}" : "") +
                (d.NotApplied > 0 ? $"; answered without moving the team {d.NotApplied}" : "") +
                (d.MaxBacklog > 0 ? $"; pacer backlog max {d.MaxBacklog} reports" : ""));
            Console.WriteLine($"  REST round trip (send -> 200 received): p50 {Percentiles.Ms(P(r.RoundTripUs, 0.5))}, p99 {Percentiles.Ms(P(r.RoundTripUs, 0.99))}, " +
                $"max {Percentiles.Ms(P(r.RoundTripUs, 1))}");
            if (r.Consoles > 0)
            {
                Console.WriteLine($"  delivered {r.Delivered} of {r.Expected} expected ({r.Consoles} consoles x {d.Acked} reports): missing {r.Missing}, " +
                    $"duplicates {r.Duplicates}, seq gaps {r.Gaps}, wrong team {r.Mismatched}, disconnects {r.Disconnects}" +
                    (r.UnackedDelivered > 0 ? $", deliveries of unacknowledged reports {r.UnackedDelivered}" : "") +
                    (BenchConsole.ScanRecords
                        ? $"; scan: {r.ScanFallbacks} records read by the reader instead, {r.ScanDisagreements} scan/reader disagreements in the cross-checked records" : ""));
                Console.WriteLine($"  messages: {r.Messages / (double)r.Consoles:0} per console ({r.Messages / d.ElapsedSeconds / r.Consoles:0.0}/s each), " +
                    $"{(r.Messages > 0 ? r.DistrictDeltas / (double)r.Messages : 0):0.0} deltas per message");
                Console.WriteLine($"  latency 200 -> console, over all (console, report) pairs: p50 {Percentiles.Ms(P(r.LatencyUs, 0.5))}, " +
                    $"p99 {Percentiles.Ms(P(r.LatencyUs, 0.99))}, max {Percentiles.Ms(P(r.LatencyUs, 1))} (min {Percentiles.Ms(P(r.LatencyUs, 0))})");
                Console.WriteLine($"  latency 200 -> the last of the {r.Consoles} consoles, per report: p50 {Percentiles.Ms(P(r.SlowestUs, 0.5))}, " +
                    $"p99 {Percentiles.Ms(P(r.SlowestUs, 0.99))}, max {Percentiles.Ms(P(r.SlowestUs, 1))}");
            }
            Console.WriteLine($"  {cpu}");
        }

        private static string Trim(string s) => s.Length <= 160 ? s.ReplaceLineEndings(" ") : s[..160].ReplaceLineEndings(" ") + "...";

        public async ValueTask DisposeAsync()
        {
            await DisconnectConsolesAsync();
            _driver?.Dispose();
            if (_node is not null) await _node.DisposeAsync();
        }
    }
}
