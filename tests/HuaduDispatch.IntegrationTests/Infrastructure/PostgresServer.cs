using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace HuaduDispatch.IntegrationTests.Infrastructure;

/// <summary>
/// A real PostgreSQL for the tests: the server named by HUADU_TEST_POSTGRES, or a throwaway one started from the machine's
/// binaries (initdb + pg_ctl on a free loopback port, as the `postgres` user when the tests run as root) and removed afterwards.
/// Never skips: when neither is possible it throws with what to do.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    public const string EnvironmentVariable = "HUADU_TEST_POSTGRES";

    private string? _dataDir;
    private string? _binDir;
    private bool _asPostgresUser;
    private string _adminConnectionString = "";
    private string[] _startArguments = [];
    private bool _stopped;

    public async Task InitializeAsync()
    {
        var external = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(external))
        {
            _adminConnectionString = external;
            await using var probe = new NpgsqlConnection(external);
            await probe.OpenAsync();
            return;
        }

        _binDir = FindBinaries() ?? throw new InvalidOperationException(
            "PostgreSQL integration tests need a server and none is available: no PostgreSQL binaries under /usr/lib/postgresql/*/bin " +
            $"(install them: apt-get install -y postgresql) and {EnvironmentVariable} is not set (set it to a connection string of a server " +
            "whose user may create databases).");
        _asPostgresUser = Environment.UserName == "root";

        _dataDir = Path.Combine(Path.GetTempPath(), "huadu-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(_dataDir);
        if (_asPostgresUser) await Run("chown", ["postgres:postgres", _dataDir], asPostgres: false);

        var port = FreePort();
        var pgData = Path.Combine(_dataDir, "data");
        await Run(Path.Combine(_binDir, "initdb"), ["-D", pgData, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"]);
        _startArguments = ["-D", pgData, "-l", Path.Combine(_dataDir, "server.log"), "-w", "-t", "60",
            "-o", $"-p {port} -k {_dataDir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300", "start"];
        await Run(Path.Combine(_binDir, "pg_ctl"), _startArguments);
        _adminConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=false;Timeout=15";
    }

    /// <summary>
    /// Takes the server down as an outage or a failover does: a fast shutdown, which ends every session (the nodes' pooled
    /// connections are cut). Only a server these tests started can be stopped.
    /// </summary>
    public async Task StopServerAsync()
    {
        var (binDir, dataDir) = OwnServer();
        await Run(Path.Combine(binDir, "pg_ctl"), ["-D", Path.Combine(dataDir, "data"), "-m", "fast", "-w", "-t", "60", "stop"]);
        _stopped = true;
    }

    /// <summary>Starts a server stopped by <see cref="StopServerAsync"/> again, on the same port with the same data.</summary>
    public async Task StartServerAsync()
    {
        var (binDir, _) = OwnServer();
        await Run(Path.Combine(binDir, "pg_ctl"), _startArguments);
        _stopped = false;
    }

    private (string BinDir, string DataDir) OwnServer() =>
        _binDir is not null && _dataDir is not null
            ? (_binDir, _dataDir)
            : throw new InvalidOperationException(
                $"This test stops and starts PostgreSQL, which it can only do with a server it started itself; {EnvironmentVariable} names " +
                "an external one. Unset it (the tests then start a throwaway server from /usr/lib/postgresql/*/bin).");

    /// <summary>A new, empty database on the server, for one test.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "huadu_test_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(_adminConnectionString))
        {
            await connection.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await cmd.ExecuteNonQueryAsync();
        }
        // Each test's nodes get a small pool: stopped nodes' idle connections must not exhaust the server's max_connections.
        return new NpgsqlConnectionStringBuilder(_adminConnectionString) { Database = name, Pooling = true, MaxPoolSize = 20, ConnectionIdleLifetime = 10 }.ConnectionString;
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_dataDir is null || _binDir is null) return;
        try
        {
            if (!_stopped) await Run(Path.Combine(_binDir, "pg_ctl"), ["-D", Path.Combine(_dataDir, "data"), "-m", "immediate", "-w", "stop"]);
        }
        finally
        {
            try { Directory.Delete(_dataDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
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

    private async Task Run(string file, string[] args, bool asPostgres = true)
    {
        var psi = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
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
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            var log = _dataDir is not null && File.Exists(Path.Combine(_dataDir, "server.log")) ? File.ReadAllText(Path.Combine(_dataDir, "server.log")) : "";
            throw new InvalidOperationException($"{Path.GetFileName(file)} {string.Join(' ', args)} failed ({process.ExitCode}): {await stderr}{await stdout}\n{log}");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}
