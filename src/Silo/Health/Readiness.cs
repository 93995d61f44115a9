using HuaduDispatch.Silo.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace HuaduDispatch.Silo.Health;

/// <summary>
/// What this node knows about its own readiness: the silo answered grain calls, the reference data is in force, and its SignalR
/// relay is registered (before that, consoles connected to this node would get no pushes).
/// </summary>
public sealed class Readiness
{
    private volatile bool _loaded;
    private volatile string? _failure;
    private volatile bool _relayRegistered;

    public void MarkReferenceDataLoaded() { _loaded = true; _failure = null; }
    public void MarkReferenceDataFailed(string reason) => _failure = reason;
    public bool ReferenceDataLoaded => _loaded;
    public void MarkRelayRegistered() => _relayRegistered = true;
    public bool RelayRegistered => _relayRegistered;
    public string? Failure => _failure;
}

/// <summary>Ready when the silo is active, has loaded the reference data through its grains and registered its SignalR relay.</summary>
public sealed class SiloReadyCheck(Readiness readiness, IHostApplicationLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (lifetime.ApplicationStopping.IsCancellationRequested) return Task.FromResult(HealthCheckResult.Unhealthy("the node is stopping"));
        if (!readiness.ReferenceDataLoaded) return Task.FromResult(HealthCheckResult.Unhealthy(readiness.Failure ?? "silo starting, reference data not loaded yet"));
        if (!readiness.RelayRegistered) return Task.FromResult(HealthCheckResult.Unhealthy("silo starting, SignalR relay not registered yet"));
        return Task.FromResult(HealthCheckResult.Healthy("silo active, reference data loaded, SignalR relay registered"));
    }
}

/// <summary>In PostgreSQL mode: the database answers a trivial query within the probe's time.</summary>
public sealed class PostgresReadyCheck(DispatchSettings settings) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            try
            {
                await Ask(timeout.Token);
            }
            catch (Exception e) when (Storage.GroupCommitGrainStorage.SessionEnded(e))
            {
                // A pooled connection whose session a database restart ended: the server itself may be back, so ask it once
                // more on a fresh connection (until the thirty-first session the first probe after each restart was a false 503).
                NpgsqlConnection.ClearAllPools();
                await Ask(timeout.Token);
            }
            return HealthCheckResult.Healthy("PostgreSQL answers");
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("PostgreSQL does not answer: " + e.Message);
        }
    }

    private async Task Ask(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(settings.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var cmd = new NpgsqlCommand("SELECT 1", connection);
        await cmd.ExecuteScalarAsync(cancellationToken);
    }
}

/// <summary>
/// The body of the health probes: the overall status and each check's status by name, for example
/// <c>{"status":"Unhealthy","checks":{"silo":"Healthy","postgres":"Unhealthy"}}</c>, so an operator sees which part is not ready.
/// The checks' descriptions and errors are left out (they name hosts and ports, and the probes are anonymous); they are logged.
/// </summary>
public static class HealthResponse
{
    public static async Task Write(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        await using var json = new System.Text.Json.Utf8JsonWriter(context.Response.BodyWriter);
        json.WriteStartObject();
        json.WriteString("status", report.Status.ToString());
        json.WriteStartObject("checks");
        foreach (var (name, entry) in report.Entries) json.WriteString(name, entry.Status.ToString());
        json.WriteEndObject();
        json.WriteEndObject();
        await json.FlushAsync();
    }
}
