using HuaduDispatch.Api.Realtime;
using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Realtime;
using HuaduDispatch.Silo.Health;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace HuaduDispatch.Silo.Realtime;

/// <summary>
/// Registers this silo's SignalR relay with the relay registry once the silo runs, and again every period so a registry
/// that was moved or restarted learns it back; unregisters on a clean stop. (The pattern of the Orleans GPSTracker sample.)
/// It also registers again at once when cluster membership changes: a silo that left may have taken the registry's activation
/// with it, and the new one lists no relay until each silo registers again.
/// </summary>
public sealed class RelayRegistration(IGrainFactory grains, DeltaRelay relay, ILocalSiloDetails silo, IClusterMembershipService membership,
    IOptions<RealtimeOptions> options, Readiness readiness, HuaduDispatch.Api.Security.SigningKeys.Resolved signingKey, ILogger<RelayRegistration> logger)
    : BackgroundService
{
    /// <summary>The nodes last found with another signing key ("" when none): each change is logged once.</summary>
    private string _differing = "";

    private readonly SemaphoreSlim _membershipChanged = new(0, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reference = relay.Reference = grains.CreateObjectReference<IDeltaRelay>(relay);
        var key = silo.SiloAddress.ToParsableString();
        _ = WatchMembership(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await grains.GetGrain<IRelayRegistryGrain>(0).Register(key, reference);
                readiness.MarkRelayRegistered();
                relay.Forget(DeltaRelay.ForgetAfter);
                await CompareSigningKey(key);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Registering the SignalR relay failed; retrying");
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
                continue;
            }
            await _membershipChanged.WaitAsync(options.Value.RelayRegistrationPeriod, stoppingToken);
        }
    }

    /// <summary>
    /// Nodes of one cluster with different token signing keys: each refuses the tokens the other's key signed, so a console or
    /// radio behind a load balancer gets 401s at random (the admin tester's L9, thirtieth session: nothing said so). Logged as an
    /// error on each node while it lasts, once per change; not a reason to stop (a key rotation goes node by node).
    /// </summary>
    private async Task CompareSigningKey(string key)
    {
        try
        {
            var differing = string.Join(", ", await grains.GetGrain<IRelayRegistryGrain>(0).CompareSigningKey(key, signingKey.Fingerprint));
            if (differing == _differing) return;
            if (differing.Length > 0)
                logger.LogError("This node's token signing key ({Fingerprint}) differs from the key of node(s) {Nodes}: a token issued with one key is refused (401) by a node with the other. Give every node the same Auth:SigningKey",
                    signingKey.Fingerprint, differing);
            else
                logger.LogInformation("Every node now uses this node's token signing key ({Fingerprint})", signingKey.Fingerprint);
            _differing = differing;
        }
        catch (Exception e)
        {
            logger.LogDebug(e, "Comparing the signing key with the other nodes failed; tried again at the next registration");
        }
    }

    private async Task WatchMembership(CancellationToken stoppingToken)
    {
        try
        {
            MembershipVersion? seen = null;
            HashSet<SiloAddress>? dead = null;
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(stoppingToken))
            {
                if (seen is not null && snapshot.Version != seen && _membershipChanged.CurrentCount == 0) _membershipChanged.Release();
                seen = snapshot.Version;
                var deadNow = snapshot.Members.Values.Where(m => m.Status == SiloStatus.Dead).Select(m => m.SiloAddress).ToHashSet();
                // A node declared dead since the last look (not those dead before this silo started) may have taken scope grains
                // with changes they had not sent yet: ask the scopes this node's consoles follow.
                if (dead is not null && deadNow.Except(dead).ToList() is { Count: > 0 } died) _ = CheckScopesAsync(died);
                dead = deadNow;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Watching cluster membership for relay registration stopped; registering every period only");
        }
    }

    private async Task CheckScopesAsync(IReadOnlyList<SiloAddress> died)
    {
        try
        {
            var failed = await relay.CheckScopes(grains, logger);
            logger.LogInformation("Node(s) {Dead} declared dead: checked the scopes this node's connections follow ({Failed} could not be asked)",
                string.Join(", ", died), failed.Count);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Checking the followed scopes after node(s) {Dead} died failed", string.Join(", ", died));
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
