using HuaduDispatch.Contracts;
using Orleans.Runtime;

namespace HuaduDispatch.Grains.Realtime;

/// <summary>
/// Every silo registers its SignalR relay here and re-registers periodically. A relay whose silo cluster membership reports
/// dead, or that has not re-registered for three periods, is dropped.
/// </summary>
public sealed class RelayRegistryGrain(IClusterMembershipService membership, TimeProvider clock) : Grain, IRelayRegistryGrain
{
    public static readonly TimeSpan RegistrationPeriod = TimeSpan.FromSeconds(30);
    private readonly Dictionary<string, (IDeltaRelay Relay, DateTimeOffset Seen)> _relays = new(StringComparer.Ordinal);

    public Task Register(string silo, IDeltaRelay relay)
    {
        _relays[silo] = (relay, clock.GetUtcNow());
        return Task.CompletedTask;
    }

    public Task Unregister(string silo)
    {
        _relays.Remove(silo);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<IDeltaRelay>> GetRelays()
    {
        var now = clock.GetUtcNow();
        var members = membership.CurrentSnapshot.Members;
        foreach (var (silo, entry) in _relays.ToList())
        {
            var dead = members.Values.Any(m => m.SiloAddress.ToParsableString() == silo && m.Status == SiloStatus.Dead);
            if (dead || now - entry.Seen > RegistrationPeriod * 3) _relays.Remove(silo);
        }
        return Task.FromResult<IReadOnlyList<IDeltaRelay>>([.. _relays.Values.Select(v => v.Relay)]);
    }
}
