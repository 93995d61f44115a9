using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Npgsql;

namespace HuaduDispatch.RealtimeBench;

/// <summary>
/// The PostgreSQL the benchmark runs against: a throwaway server started from /usr/lib/postgresql/*/bin on a free loopback
/// port (as the `postgres` user when run as root; default durability: fsync and synchronous_commit on), or the server named by
/// HUADU_BENCH_POSTGRES (a fresh database is created on it and dropped afterwards). Also runs pgbench against it.
/// </summary>
public sealed partial class BenchPostgres
{
    public const string EnvironmentVariable = "HUADU_BENCH_POSTGRES";

    private readonly string _tempDir;
    private string? _binDir;
    private bool _asPostgresUser;
    private bool _started;
    private string _adminConnectionString = "";
    private string? _database;
    private readonly Lock _cleanupLock = new();
    private bool _cleanedUp;

    public string ConnectionString { get; private set; } = "";
    public string Description { get; private set; } = "";
    public bool External { get; private set; }

    public BenchPostgres(string tempDir) => _tempDir = tempDir;

    public async Task StartAsync(CancellationToken ct)
    {
        _binDir = FindBinaries();
        var external = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(external))
        {
            External = true;
            _adminConnectionString = new NpgsqlConnectionStringBuilder(external) { Pooling = false }.ConnectionString;
            var b = new NpgsqlConnectionStringBuilder(external);
            Description = $"server from {EnvironmentVariable} ({b.Host}:{b.Port})";
        }
        else
        {
            if (_binDir is null)
                throw new InvalidOperationException($"No PostgreSQL binaries under /usr/lib/postgresql/*/bin (apt-get install -y postgresql), " +
                    $"and {EnvironmentVariable} is not set (set it to a connection string whose user may create databases).");
            _asPostgresUser = Environment.UserName == "root";
            if (_asPostgresUser) await Run("chown", ["postgres:postgres", _tempDir], asPostgres: false, ct);
            var port = FreePort();
            var pgData = Path.Combine(_tempDir, "data");
            await Run(Path.Combine(_binDir, "initdb"), ["-D", pgData, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"], true, ct);
            _started = true; // from here on, cleanup stops the server whatever happens
            await Run(Path.Combine(_binDir, "pg_ctl"), ["-D", pgData, "-l", Path.Combine(_tempDir, "server.log"), "-w", "-t", "60",
                "-o", $"-p {port} -k {_tempDir} -c listen_addresses=127.0.0.1 -c max_connections=200", "start"], true, ct);
            _adminConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=false;Timeout=15";
            Description = $"throwaway PostgreSQL {Path.GetFileName(Path.GetDirectoryName(_binDir))} on 127.0.0.1:{port}";
        }

        _database = "huadu_rtbench_" + Guid.NewGuid().ToString("N")[..12];
        await using (var connection = new NpgsqlConnection(_adminConnectionString))
        {
            await connection.OpenAsync(ct);
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE {_database}", connection);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        ConnectionString = new NpgsqlConnectionStringBuilder(_adminConnectionString) { Database = _database, Pooling = true }.ConnectionString;
    }

    /// <summary>
    /// The connection string for the node. Npgsql's pool holds up to 100 connections and the node fills it (it writes many
    /// grains at once while loading the reference data); the throwaway server allows 200. On a server that has fewer free
    /// connections than 100 + pgbench's 8, and no pool size in the given string, the node's pool is capped to what is free.
    /// </summary>
    public async Task<(string ConnectionString, string Note)> NodeConnectionStringAsync(CancellationToken ct)
    {
        var b = new NpgsqlConnectionStringBuilder(ConnectionString);
        if (!External) return (ConnectionString, $"Npgsql pool up to {b.MaxPoolSize} connections");
        var given = Environment.GetEnvironmentVariable(EnvironmentVariable)!;
        if (given.Contains("Maximum Pool Size", StringComparison.OrdinalIgnoreCase) || given.Contains("MaxPoolSize", StringComparison.OrdinalIgnoreCase))
            return (ConnectionString, $"Npgsql pool up to {b.MaxPoolSize} connections (from {EnvironmentVariable})");
        var free = await ScalarAsync<int>(
            "SELECT current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int - (SELECT count(*) FROM pg_stat_activity)::int", ct);
        if (free >= b.MaxPoolSize + 8 + 4) return (ConnectionString, $"Npgsql pool up to {b.MaxPoolSize} connections");
        b.MaxPoolSize = Math.Max(30, free - 8 - 4);
        return (b.ConnectionString, $"Npgsql pool capped to {b.MaxPoolSize} connections: the server has {free} free, pgbench needs 8");
    }

    /// <summary>Server version and the settings that decide what a durable write costs.</summary>
    public async Task<string> SettingsAsync(CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(ct);
        var parts = new List<string>();
        foreach (var name in new[] { "server_version", "fsync", "synchronous_commit", "wal_sync_method", "shared_buffers" })
        {
            await using var cmd = new NpgsqlCommand($"SHOW {name}", connection);
            parts.Add($"{name}={await cmd.ExecuteScalarAsync(ct)}");
        }
        return string.Join(", ", parts);
    }

    public async Task<T> ScalarAsync<T>(string sql, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(sql, connection);
        return (T)Convert.ChangeType((await cmd.ExecuteScalarAsync(ct))!, typeof(T), CultureInfo.InvariantCulture);
    }

    public sealed record PgbenchResult(double Tps, double LatencyAverageMs, long Transactions, string Command, int PayloadBytes);

    /// <summary>
    /// pgbench with a custom script: one single-row upsert (INSERT ... ON CONFLICT (id) DO UPDATE) of a bytea payload of the given
    /// size into a table of 26 rows, a random id each time. Every transaction commits on its own (autocommit), as the node's writes do.
    /// </summary>
    public async Task<PgbenchResult> PgbenchAsync(int payloadBytes, int clients, int threads, int seconds, CancellationToken ct)
    {
        var pgbench = _binDir is not null ? Path.Combine(_binDir, "pgbench") : "pgbench";
        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync(ct);
            await using var cmd = new NpgsqlCommand("""
                CREATE TABLE IF NOT EXISTS huadu_bench_upsert (id integer PRIMARY KEY, payload bytea NOT NULL, version integer NOT NULL,
                    modified_at timestamptz NOT NULL DEFAULT now());
                INSERT INTO huadu_bench_upsert (id, payload, version) SELECT g, '\x00'::bytea, 1 FROM generate_series(1, 26) g
                    ON CONFLICT (id) DO NOTHING;
                """, connection);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        // A payload of the team rows' size: md5 hex (32 characters) repeated, different every transaction.
        var repeats = Math.Max(1, (int)Math.Round(payloadBytes / 32.0));
        var script = Path.Combine(_tempDir, "upsert.sql");
        await File.WriteAllTextAsync(script, $"""
            \set id random(1, 26)
            INSERT INTO huadu_bench_upsert (id, payload, version, modified_at) VALUES (:id, convert_to(repeat(md5(random()::text), {repeats}), 'UTF8'), 1, now()) ON CONFLICT (id) DO UPDATE SET payload = EXCLUDED.payload, version = huadu_bench_upsert.version + 1, modified_at = now();

            """, ct);
        if (_asPostgresUser) await Run("chown", ["postgres:postgres", script], asPostgres: false, ct);

        var b = new NpgsqlConnectionStringBuilder(ConnectionString);
        string[] args = ["-n", "-h", b.Host ?? "127.0.0.1", "-p", b.Port.ToString(CultureInfo.InvariantCulture), "-U", b.Username ?? "postgres",
            "-c", clients.ToString(CultureInfo.InvariantCulture), "-j", threads.ToString(CultureInfo.InvariantCulture),
            "-T", seconds.ToString(CultureInfo.InvariantCulture), "-M", "prepared", "-f", script, b.Database!];
        var env = new Dictionary<string, string>();
        if (!string.IsNullOrEmpty(b.Password)) env["PGPASSWORD"] = b.Password;
        var output = await Run(pgbench, args, asPostgres: true, ct, env);
        var tps = TpsLine().Match(output);
        if (!tps.Success) throw new InvalidOperationException("pgbench printed no tps line:\n" + output);
        var latency = LatencyLine().Match(output);
        var processed = ProcessedLine().Match(output);
        return new PgbenchResult(
            double.Parse(tps.Groups[1].Value, CultureInfo.InvariantCulture),
            latency.Success ? double.Parse(latency.Groups[1].Value, CultureInfo.InvariantCulture) : double.NaN,
            processed.Success ? long.Parse(processed.Groups[1].Value, CultureInfo.InvariantCulture) : 0,
            $"pgbench -n -c {clients} -j {threads} -T {seconds} -M prepared -f upsert.sql", repeats * 32);
    }

    [GeneratedRegex(@"tps = ([0-9.]+) \(without initial connection time\)")]
    private static partial Regex TpsLine();

    [GeneratedRegex(@"latency average = ([0-9.]+) ms")]
    private static partial Regex LatencyLine();

    [GeneratedRegex(@"number of transactions actually processed: ([0-9]+)")]
    private static partial Regex ProcessedLine();

    /// <summary>Drops the database (external server) or stops the throwaway server. Idempotent; safe from a signal handler.</summary>
    public void Cleanup()
    {
        lock (_cleanupLock)
        {
            if (_cleanedUp) return;
            _cleanedUp = true;
        }
        NpgsqlConnection.ClearAllPools();
        if (External)
        {
            if (_database is null) return;
            try
            {
                using var connection = new NpgsqlConnection(_adminConnectionString);
                connection.Open();
                using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)", connection);
                cmd.ExecuteNonQuery();
            }
            catch (Exception e)
            {
                Console.Error.WriteLine($"Could not drop database {_database}: {e.Message}");
            }
            return;
        }
        if (!_started || _binDir is null) return;
        try
        {
            Run(Path.Combine(_binDir, "pg_ctl"), ["-D", Path.Combine(_tempDir, "data"), "-m", "immediate", "-w", "stop"], true, CancellationToken.None)
                .GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"Could not stop PostgreSQL: {e.Message}");
        }
    }

    private static string? FindBinaries()
    {
        const string root = "/usr/lib/postgresql";
        if (!Directory.Exists(root)) return null;
        return Directory.GetDirectories(root)
            .Select(d => Path.Combine(d, "bin"))
            .Where(b => File.Exists(Path.Combine(b, "initdb")) && File.Exists(Path.Combine(b, "pg_ctl")))
            .OrderByDescending(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), out var v) ? v : 0)
            .FirstOrDefault();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task<string> Run(string file, string[] args, bool asPostgres, CancellationToken ct, IDictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (asPostgres && _asPostgresUser)
        {
            psi.FileName = "runuser";
            foreach (var a in new[] { "-u", "postgres", "--", file }) psi.ArgumentList.Add(a);
        }
        else
        {
            psi.FileName = file;
        }
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            throw;
        }
        var output = await stdout + await stderr;
        if (process.ExitCode != 0)
        {
            var logPath = Path.Combine(_tempDir, "server.log");
            var log = File.Exists(logPath) ? File.ReadAllText(logPath) : "";
            throw new InvalidOperationException($"{Path.GetFileName(file)} {string.Join(' ', args)} failed ({process.ExitCode}): {output}\n{log}");
        }
        return output;
    }
}
