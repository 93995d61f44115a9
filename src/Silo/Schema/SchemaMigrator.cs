using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Npgsql;

namespace HuaduDispatch.Silo.Schema;

/// <summary>
/// Applies the versioned SQL files under Schema/ (embedded in this assembly) in order, each once, in its own transaction,
/// and records them in huadu_schema_migrations. Concurrent runs are serialised by an advisory lock; a second run changes nothing.
/// </summary>
public sealed partial class SchemaMigrator(string connectionString)
{
    private const long AdvisoryLockKey = 0x48_55_41_44_55; // "HUADU"

    public sealed record Script(int Version, string Name, string Sql, string Checksum);

    public sealed record MigrationReport(IReadOnlyList<Script> Applied, int CurrentVersion);

    [GeneratedRegex(@"^Schema\.(\d{4})_([a-z0-9_]+)\.sql$")]
    private static partial Regex ResourceName();

    public static IReadOnlyList<Script> Scripts { get; } = LoadScripts();

    public static int LatestVersion => Scripts.Count == 0 ? 0 : Scripts[^1].Version;

    private static IReadOnlyList<Script> LoadScripts()
    {
        var assembly = typeof(SchemaMigrator).Assembly;
        var scripts = new List<Script>();
        foreach (var name in assembly.GetManifestResourceNames())
        {
            var m = ResourceName().Match(name);
            if (!m.Success) continue;
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var sql = reader.ReadToEnd();
            scripts.Add(new Script(int.Parse(m.Groups[1].Value), m.Groups[2].Value, sql,
                Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql)))));
        }
        scripts.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 1; i < scripts.Count; i++)
        {
            if (scripts[i].Version == scripts[i - 1].Version) throw new InvalidOperationException($"two schema scripts have version {scripts[i].Version}");
        }
        return scripts;
    }

    public async Task<MigrationReport> MigrateAsync(CancellationToken ct = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await Execute(connection, "SELECT pg_advisory_lock(@k)", ct, ("k", AdvisoryLockKey));
        try
        {
            await Execute(connection, """
                CREATE TABLE IF NOT EXISTS huadu_schema_migrations (
                    version     integer     PRIMARY KEY,
                    name        text        NOT NULL,
                    checksum    text        NOT NULL,
                    applied_at  timestamptz NOT NULL DEFAULT now()
                )
                """, ct);

            var applied = await ReadApplied(connection, ct);
            var done = new List<Script>();
            foreach (var script in Scripts)
            {
                if (applied.TryGetValue(script.Version, out var checksum))
                {
                    if (checksum != script.Checksum)
                        throw new InvalidOperationException(
                            $"schema script {script.Version:D4}_{script.Name} was changed after it was applied; add a new script instead");
                    continue;
                }
                await using var tx = await connection.BeginTransactionAsync(ct);
                await using (var cmd = new NpgsqlCommand(script.Sql, connection, tx)) await cmd.ExecuteNonQueryAsync(ct);
                await using (var cmd = new NpgsqlCommand(
                    "INSERT INTO huadu_schema_migrations (version, name, checksum) VALUES (@v, @n, @c)", connection, tx))
                {
                    cmd.Parameters.AddWithValue("v", script.Version);
                    cmd.Parameters.AddWithValue("n", script.Name);
                    cmd.Parameters.AddWithValue("c", script.Checksum);
                    await cmd.ExecuteNonQueryAsync(ct);
                }
                await tx.CommitAsync(ct);
                done.Add(script);
            }
            return new MigrationReport(done, Math.Max(applied.Keys.DefaultIfEmpty(0).Max(), done.Select(d => d.Version).DefaultIfEmpty(0).Max()));
        }
        finally
        {
            await Execute(connection, "SELECT pg_advisory_unlock(@k)", CancellationToken.None, ("k", AdvisoryLockKey));
        }
    }

    /// <summary>The highest applied version, or 0 when the database has never been migrated.</summary>
    public async Task<int> CurrentVersionAsync(CancellationToken ct = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var exists = new NpgsqlCommand("SELECT to_regclass('huadu_schema_migrations') IS NOT NULL", connection);
        if (!(bool)(await exists.ExecuteScalarAsync(ct))!) return 0;
        await using var cmd = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM huadu_schema_migrations", connection);
        return (int)(await cmd.ExecuteScalarAsync(ct))!;
    }

    private static async Task<Dictionary<int, string>> ReadApplied(NpgsqlConnection connection, CancellationToken ct)
    {
        var result = new Dictionary<int, string>();
        await using var cmd = new NpgsqlCommand("SELECT version, checksum FROM huadu_schema_migrations", connection);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) result[reader.GetInt32(0)] = reader.GetString(1);
        return result;
    }

    private static async Task Execute(NpgsqlConnection connection, string sql, CancellationToken ct, params (string Name, object Value)[] parameters)
    {
        await using var cmd = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
