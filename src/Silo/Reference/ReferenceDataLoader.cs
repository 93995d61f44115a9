using HuaduDispatch.Api.Reference;
using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Reference;
using HuaduDispatch.Silo.Health;
using HuaduDispatch.Silo.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace HuaduDispatch.Silo.Reference;

/// <summary>
/// Loads the reference data file into the grains when the node starts (every node does; the catalogue grain makes the second
/// and later loads of the same content a no-op), and again on an admin's reload.
/// </summary>
public sealed class ReferenceDataLoader(
    IGrainFactory grains, DispatchSettings settings, Readiness readiness, ILogger<ReferenceDataLoader> logger)
    : BackgroundService, IReferenceDataReloader
{
    private readonly ResiliencePipeline _retry = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            // Grain calls can fail while a cluster is still forming or the database blips; a bad file is not retried.
            ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not InvalidReferenceDataException and not OperationCanceledException),
            MaxRetryAttempts = 10,
            Delay = TimeSpan.FromMilliseconds(500),
            BackoffType = DelayBackoffType.Exponential,
            MaxDelay = TimeSpan.FromSeconds(10),
            OnRetry = a =>
            {
                logger.LogWarning(a.Outcome.Exception, "Loading reference data failed (attempt {Attempt}); retrying", a.AttemptNumber + 1);
                return ValueTask.CompletedTask;
            },
        })
        .Build();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var result = await LoadAsync(stoppingToken);
            readiness.MarkReferenceDataLoaded();
            logger.LogInformation("Reference data {Version} ({Hash}) {What}", result.Version, result.ContentHash[..12],
                result.Applied ? "loaded" : "already in force, nothing changed");
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            readiness.MarkReferenceDataFailed(e.Message);
            logger.LogCritical(e, "Reference data could not be loaded from {Path}; /health/ready stays 503", settings.ReferenceDataPath);
        }
    }

    public async Task<(ReferenceLoadResult? Result, IReadOnlyList<string> Errors)> ReloadAsync(CancellationToken cancellationToken)
    {
        try
        {
            var result = await LoadAsync(cancellationToken);
            readiness.MarkReferenceDataLoaded();
            return (result, []);
        }
        catch (InvalidReferenceDataException e)
        {
            logger.LogWarning("Reference data reload refused: {Errors}", string.Join("; ", e.Errors));
            return (null, e.Errors);
        }
    }

    private async Task<ReferenceLoadResult> LoadAsync(CancellationToken ct)
    {
        var (set, hash) = ReferenceDataFile.Load(settings.ReferenceDataPath);
        return await _retry.ExecuteAsync(
            async _ => await grains.Grain<IReferenceDataGrain>(ReferenceData.GrainKey).Load(set, hash), ct);
    }
}
