using HuaduDispatch.Silo.Schema;

namespace HuaduDispatch.Silo.Commands;

/// <summary>`migrate`: applies the schema to ConnectionStrings:Dispatch; a second run changes nothing.</summary>
public static class MigrateCommand
{
    public static async Task<int> RunAsync(IConfiguration configuration, TextWriter output, TextWriter error)
    {
        var connectionString = configuration.GetConnectionString("Dispatch");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            error.WriteLine("migrate: set ConnectionStrings__Dispatch (or --ConnectionStrings:Dispatch=...) to the PostgreSQL database first.");
            return 2;
        }
        try
        {
            var report = await new SchemaMigrator(connectionString).MigrateAsync();
            foreach (var s in report.Applied) output.WriteLine($"applied {s.Version:D4}_{s.Name}");
            output.WriteLine(report.Applied.Count == 0
                ? $"schema already at version {report.CurrentVersion}; nothing to do"
                : $"schema now at version {report.CurrentVersion}");
            return 0;
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException)
        {
            error.WriteLine($"migrate: {e.Message}");
            return 1;
        }
    }
}
