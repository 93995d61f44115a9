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

    /// <summary>The longest <see cref="CoalesceWindow"/>: consoles are promised changes within milliseconds.</summary>
    public static readonly TimeSpan MaxCoalesceWindow = TimeSpan.FromSeconds(1);

    /// <summary>What is wrong with these settings, one message per problem naming its key (none when they can be used).</summary>
    public IEnumerable<string> Problems()
    {
        if (CoalesceWindow < TimeSpan.Zero || CoalesceWindow > MaxCoalesceWindow)
            yield return $"Realtime:CoalesceWindow must be from 0 to {MaxCoalesceWindow.TotalMilliseconds:0} ms, was {CoalesceWindow}";
        if (ResyncBufferSize < 1) yield return $"Realtime:ResyncBufferSize must be at least 1, was {ResyncBufferSize}";
        foreach (var p in OptionsChecks.Positive("Realtime:ResyncBufferAge", ResyncBufferAge)) yield return p;
        foreach (var p in OptionsChecks.Period("Realtime:RelayRefresh", RelayRefresh)) yield return p;
        foreach (var p in OptionsChecks.Period("Realtime:RelayRegistrationPeriod", RelayRegistrationPeriod)) yield return p;
        // A relay not registered again within the registry's expiry is dropped: a longer period would drop live relays.
        if (RelayRegistrationPeriod >= RelayRegistryGrain.Expiry)
            yield return $"Realtime:RelayRegistrationPeriod must be under {RelayRegistryGrain.Expiry.TotalSeconds:0} s (after which the registry drops a relay not registered again), was {RelayRegistrationPeriod}";
    }
}
