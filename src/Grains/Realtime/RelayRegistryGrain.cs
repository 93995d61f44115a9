using HuaduDispatch.Contracts;
using Orleans.Runtime;

namespace HuaduDispatch.Grains.Realtime;

/// <summary>
/// Every silo registers its SignalR relay here and re-registers periodically. A relay whose silo cluster membership reports
/// dead, or that has not registered again for <see cref="Expiry"/>, is dropped.
/// </summary>
public sealed class RelayRegistryGrain(IClusterMembershipService membership, TimeProvider clock) : Grain, IRelayRegistryGrain
{
    // The registry keeps its list in memory only: when its activation moves or is recreated (a silo joining can hand its
    // directory entry over, a silo leaving takes it along), the list fills again as the silos register again, which they do on
    // every membership change and every RealtimeOptions.RelayRegistrationPeriod.
    /// <summary>A relay not registered again for this long is dropped even if membership has not yet said its silo is dead.</summary>
    public static readonly TimeSpan Expiry = TimeSpan.FromSeconds(90);
    private readonly Dictionary<string, (IDeltaRelay Relay, DateTimeOffset Seen)> _relays = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Fingerprint, DateTimeOffset Seen)> _keys = new(StringComparer.Ordinal);

    public Task<IReadOnlyList<string>> CompareSigningKey(string silo, string fingerprint)
    {
        var now = clock.GetUtcNow();
        _keys[silo] = (fingerprint, now);
        var members = membership.CurrentSnapshot.Members.Values;
        foreach (var (other, entry) in _keys.ToList())
            if (now - entry.Seen > Expiry || members.Any(m => m.SiloAddress.ToParsableString() == other && m.Status == SiloStatus.Dead)) _keys.Remove(other);
        IReadOnlyList<string> differing = [.. _keys.Where(k => k.Key != silo && k.Value.Fingerprint != fingerprint).Select(k => $"{k.Key} ({k.Value.Fingerprint})").Order()];
        return Task.FromResult(differing);
    }

    public Task Register(string silo, IDeltaRelay relay)
    {
        _relays[silo] = (relay, clock.GetUtcNow());
        return Task.CompletedTask;
    }

    public Task Unregister(string silo)
    {
        _relays.Remove(silo);
        _keys.Remove(silo);
        return Task.CompletedTask;
    }

    public Task<RelayList> GetRelayList()
    {
        var now = clock.GetUtcNow();
        var members = membership.CurrentSnapshot.Members;
        foreach (var (silo, entry) in _relays.ToList())
        {
            var dead = members.Values.Any(m => m.SiloAddress.ToParsableString() == silo && m.Status == SiloStatus.Dead);
            if (dead || now - entry.Seen > Expiry) _relays.Remove(silo);
        }
        var complete = members.Values.Where(m => m.Status == SiloStatus.Active).All(m => _relays.ContainsKey(m.SiloAddress.ToParsableString()));
        return Task.FromResult(new RelayList { Relays = [.. _relays.Values.Select(v => v.Relay)], Complete = complete });
    }
}
