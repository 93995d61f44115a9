using System.Diagnostics;

namespace HuaduDispatch.RealtimeBench;

/// <summary>A growable int array in fixed chunks: appends never copy, and a reader never sees a moved array.</summary>
public sealed class ChunkedInts
{
    private const int Shift = 13;
    private const int Size = 1 << Shift;
    private const int Mask = Size - 1;
    public const int Capacity = 4096 * Size; // 33.5 million entries

    private readonly int[]?[] _chunks = new int[]?[4096];

    public void Set(int i, int value)
    {
        var chunk = Volatile.Read(ref _chunks[i >> Shift]) ?? Allocate(i >> Shift);
        chunk[i & Mask] = value;
    }

    public int Get(int i) => Volatile.Read(ref _chunks[i >> Shift]) is { } chunk ? chunk[i & Mask] : 0;

    private int[] Allocate(int k)
    {
        var fresh = new int[Size];
        return Interlocked.CompareExchange(ref _chunks[k], fresh, null) ?? fresh;
    }
}

/// <summary>
/// Every position report the driver sends, numbered from 0 across the whole run. Report n carries
/// at = <see cref="BaseTicks"/> + n microseconds: every report is newer than the team's previous one (so the team grain moves
/// the team and writes its state), and the team's position.at in a delta names the report it came from.
/// Times are microseconds since the log was made (one monotonic clock for the driver and the consoles), stored + 1 so 0 means "none".
/// </summary>
public sealed class UpdateLog
{
    public const long TicksPerUpdate = 10; // 1 microsecond

    private readonly long _t0 = Stopwatch.GetTimestamp();
    private readonly ChunkedInts _team = new();
    private readonly ChunkedInts _sent = new();
    private readonly ChunkedInts _ack = new();
    private int _count;
    private long _deliveries;

    public UpdateLog(IReadOnlyList<string> teamIds)
    {
        TeamIds = teamIds;
        // Whole seconds, so the at values print nicely; at or after now, so newer than every team's current position.
        var now = DateTimeOffset.UtcNow.UtcTicks;
        BaseTicks = now - now % TimeSpan.TicksPerSecond + TimeSpan.TicksPerSecond;
    }

    public IReadOnlyList<string> TeamIds { get; }
    public long BaseTicks { get; }
    public int Count => Volatile.Read(ref _count);
    public long Deliveries => Interlocked.Read(ref _deliveries);

    public int NowUs() => (int)(Stopwatch.GetElapsedTime(_t0).Ticks / 10);

    /// <summary>Numbers a new report for the team (the caller holds the team: one report per team in flight).</summary>
    public int Next(int team)
    {
        var n = Interlocked.Increment(ref _count) - 1;
        if (n >= ChunkedInts.Capacity) throw new InvalidOperationException("too many updates for one run");
        _team.Set(n, team + 1);
        _sent.Set(n, NowUs() + 1);
        return n;
    }

    public DateTimeOffset At(int n) => new(BaseTicks + n * TicksPerUpdate, TimeSpan.Zero);

    /// <summary>The report a team delta's position.at names, or -1.</summary>
    public int Lookup(long atUtcTicks)
    {
        var offset = atUtcTicks - BaseTicks;
        if (offset < 0 || offset % TicksPerUpdate != 0) return -1;
        var n = offset / TicksPerUpdate;
        return n < Count ? (int)n : -1;
    }

    public void Acked(int n, int us) => _ack.Set(n, us + 1);

    public int Team(int n) => _team.Get(n) - 1;
    public int SentUs(int n) => _sent.Get(n) - 1;
    /// <summary>When the 200 arrived, or -1 when the report was not acknowledged.</summary>
    public int AckUs(int n) => _ack.Get(n) - 1;

    public void Delivered() => Interlocked.Increment(ref _deliveries);
}
