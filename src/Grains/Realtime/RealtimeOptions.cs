namespace HuaduDispatch.Grains.Realtime;

/// <summary>Configuration section "Realtime".</summary>
public sealed class RealtimeOptions
{
    public const string Section = "Realtime";

    /// <summary>Changes within this window go out as one message per scope.</summary>
    public TimeSpan CoalesceWindow { get; set; } = TimeSpan.FromMilliseconds(5);
    /// <summary>How many recent deltas a scope keeps for Resync.</summary>
    public int ResyncBufferSize { get; set; } = 10_000;
    /// <summary>How long a scope keeps a delta for Resync.</summary>
    public TimeSpan ResyncBufferAge { get; set; } = TimeSpan.FromMinutes(10);
    /// <summary>How often a scope re-reads the list of silo relays.</summary>
    public TimeSpan RelayRefresh { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often each silo registers its relay again, besides at once on every change of cluster membership. Keep it well under
    /// <see cref="RelayRegistryGrain.Expiry"/> (90 s), after which a relay not registered again is dropped.
    /// </summary>
    public TimeSpan RelayRegistrationPeriod { get; set; } = TimeSpan.FromSeconds(5);
}
