using Npgsql;

namespace HuaduDispatch.Silo.Storage;

/// <summary>
/// Npgsql settings the Orleans ADO.NET providers benefit from, applied only where the operator's connection string leaves them
/// unset. The providers open a pooled connection per query and send the same few query texts again and again:
/// <list type="bullet">
/// <item><c>Max Auto Prepare</c> 32 with <c>Auto Prepare Min Usages</c> 2: those texts become server-side prepared statements
/// on each pooled connection, so PostgreSQL parses and plans them once instead of on every grain write.</item>
/// <item><c>No Reset On Close</c>: nothing here changes session state (no SET, LISTEN, temp tables), so the reset Npgsql would
/// otherwise send ahead of the next query on a reused connection is pure overhead.</item>
/// </list>
/// </summary>
public static class PostgresConnectionDefaults
{
    public static string Apply(string connectionString)
    {
        // Which keywords the operator wrote, however spelled ("Max Auto Prepare", "maxautoprepare", ...).
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>()
            .Select(k => k.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant()).ToHashSet();
        var tuned = new NpgsqlConnectionStringBuilder(connectionString);
        if (!given.Contains("maxautoprepare")) tuned.MaxAutoPrepare = 32;
        if (!given.Contains("autoprepareminusages")) tuned.AutoPrepareMinUsages = 2;
        if (!given.Contains("noresetonclose")) tuned.NoResetOnClose = true;
        return tuned.ConnectionString;
    }
}
