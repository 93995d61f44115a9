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
            // A node does not replace a different data set in force at start: the last node to start would decide the
            // cluster's data (until the thirtieth session a node restarted with an older file put the whole cluster back on
            // it, and each restart flipped it). The first node of a cluster loads its file; later, a reload applies one.
            var (set, hash) = ReferenceDataFile.Load(settings.ReferenceDataPath);
            var inForce = await _retry.ExecuteAsync(async _ => await grains.Grain<IReferenceDataGrain>(ReferenceData.GrainKey).GetStatus(), stoppingToken);
            if (ReferenceDataStart.Keeps(inForce, hash))
            {
                readiness.MarkReferenceDataLoaded();
                logger.LogWarning("Reference data {Version} ({Hash}) is in force in the cluster; this node's file {Path} holds {FileVersion} ({FileHash}) " +
                    "and was not loaded. To put it in force, POST /api/v1/reference-data/reload through this node",
                    inForce!.Version, inForce.ContentHash[..12], settings.ReferenceDataPath, set.Version, hash[..12]);
                return;
            }
            var result = await LoadAsync(set, hash, stoppingToken);
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
            logger.LogInformation("Reference data {Version} ({Hash}) {What} by a reload", result.Version, result.ContentHash[..12],
                result.Applied ? "put in force" : "already in force, nothing changed");
            foreach (var warning in result.Warnings) logger.LogWarning("Reference data reload: {Warning}", warning);
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
        return await LoadAsync(set, hash, ct);
    }

    private async Task<ReferenceLoadResult> LoadAsync(ReferenceDataSet set, string hash, CancellationToken ct) =>
        await _retry.ExecuteAsync(async _ => await grains.Grain<IReferenceDataGrain>(ReferenceData.GrainKey).Load(set, hash), ct);
}

/// <summary>What a node does with its reference data file at start.</summary>
public static class ReferenceDataStart
{
    /// <summary>
    /// Whether the set in force stays (the file is not loaded): a cluster that holds a set whose content differs from the
    /// node's file. A cluster with none takes the file; the same content is a no-op load.
    /// </summary>
    public static bool Keeps(ReferenceDataStatus? inForce, string fileHash) => inForce is not null && inForce.ContentHash != fileHash;
}
