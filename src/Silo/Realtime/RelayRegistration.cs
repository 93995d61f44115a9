using HuaduDispatch.Api.Realtime;
using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Realtime;
using HuaduDispatch.Silo.Health;
using Orleans.Runtime;

namespace HuaduDispatch.Silo.Realtime;

/// <summary>
/// Registers this silo's SignalR relay with the relay registry once the silo runs, and again every period so a registry
/// that was moved or restarted learns it back; unregisters on a clean stop. (The pattern of the Orleans GPSTracker sample.)
/// </summary>
public sealed class RelayRegistration(IGrainFactory grains, DeltaRelay relay, ILocalSiloDetails silo, Readiness readiness, ILogger<RelayRegistration> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reference = relay.Reference = grains.CreateObjectReference<IDeltaRelay>(relay);
        var key = silo.SiloAddress.ToParsableString();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await grains.GetGrain<IRelayRegistryGrain>(0).Register(key, reference);
                readiness.MarkRelayRegistered();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Registering the SignalR relay failed; retrying");
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
                continue;
            }
            await Task.Delay(RelayRegistryGrain.RegistrationPeriod, stoppingToken);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await grains.GetGrain<IRelayRegistryGrain>(0).Unregister(silo.SiloAddress.ToParsableString()).WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogDebug(e, "Unregistering the SignalR relay failed; membership will drop it");
        }
        await base.StopAsync(cancellationToken);
    }
}
