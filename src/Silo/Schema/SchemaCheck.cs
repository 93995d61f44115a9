using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Polly;
using Polly.Retry;

namespace HuaduDispatch.Silo.Schema;

/// <summary>
/// Runs before the silo starts in PostgreSQL mode: waits (with retries) for the database to answer and refuses to start when
/// the schema is older than this build, saying to run `migrate`.
/// </summary>
public sealed class SchemaCheck(string connectionString, ILogger<SchemaCheck> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var pipeline = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<NpgsqlException>().Handle<TimeoutException>(),
                MaxRetryAttempts = 8,
                Delay = TimeSpan.FromMilliseconds(500),
                BackoffType = DelayBackoffType.Exponential,
                MaxDelay = TimeSpan.FromSeconds(5),
                OnRetry = a =>
                {
                    logger.LogWarning("PostgreSQL is not answering yet (attempt {Attempt}): {Error}", a.AttemptNumber + 1, a.Outcome.Exception?.Message);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();

        var version = await pipeline.ExecuteAsync(async ct => await new SchemaMigrator(connectionString).CurrentVersionAsync(ct), cancellationToken);
        if (version < SchemaMigrator.LatestVersion)
        {
            throw new InvalidOperationException(
                $"The PostgreSQL schema is at version {version}, this build needs {SchemaMigrator.LatestVersion}. " +
                "Run `dotnet run --project src/Silo -- migrate` (or the silo binary with `migrate`) with the same ConnectionStrings:Dispatch first.");
        }
        logger.LogInformation("PostgreSQL schema at version {Version}", version);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
