using System.Diagnostics;
using System.Globalization;

namespace HuaduDispatch.RealtimeBench;

public static class Percentiles
{
    /// <summary>Nearest-rank percentile of a sorted array.</summary>
    public static T Of<T>(T[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    public static string Ms(int us) => (us / 1000.0).ToString("0.0", CultureInfo.InvariantCulture) + " ms";
}

/// <summary>
/// CPU use over a phase from /proc: the whole machine, this process (node + consoles + driver) and the PostgreSQL server
/// processes (the backends that live through the phase; approximate).
/// </summary>
public sealed record CpuSample(long MachineBusy, long MachineTotal, TimeSpan Process, Dictionary<int, long> PostgresTicks, TimeSpan JitTime,
    long JitMethods, DateTime At, long Commits = 0, long CommittedWrites = 0, int Gen0 = 0, int Gen1 = 0, int Gen2 = 0, TimeSpan GcPause = default, long Allocated = 0)
{
    private const double ClockTicksPerSecond = 100; // USER_HZ on Linux

    public static CpuSample Take()
    {
        long busy = 0, total = 0;
        var pg = new Dictionary<int, long>();
        try
        {
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
            total = fields.Take(8).Sum();
            busy = total - fields[3] - fields[4]; // minus idle and iowait
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
                try
                {
                    var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                    var open = stat.IndexOf('(');
                    var close = stat.LastIndexOf(')');
                    if (open < 0 || close < 0 || stat[(open + 1)..close] != "postgres") continue;
                    var rest = stat[(close + 2)..].Split(' ');
                    pg[pid] = long.Parse(rest[11], CultureInfo.InvariantCulture) + long.Parse(rest[12], CultureInfo.InvariantCulture); // utime + stime
                }
                catch (IOException) { }
                catch (UnauthorizedAccessException) { }
            }
        }
        catch (IOException) { }
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        return new CpuSample(busy, total, self.TotalProcessorTime, pg, System.Runtime.JitInfo.GetCompilationTime(),
            System.Runtime.JitInfo.GetCompiledMethodCount(), DateTime.UtcNow, GroupCommits.Commits, GroupCommits.Writes,
            GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration(), GC.GetTotalAllocatedBytes());
    }

    /// <summary>"machine 87 % busy of 2 cores; this process 1.21 cores, PostgreSQL ~0.45 cores, other processes ~0.08 cores".</summary>
    public static string Describe(CpuSample from, CpuSample to)
    {
        var seconds = (to.At - from.At).TotalSeconds;
        if (seconds <= 0 || to.MachineTotal == from.MachineTotal) return "CPU: n/a";
        var busy = (double)(to.MachineBusy - from.MachineBusy) / (to.MachineTotal - from.MachineTotal);
        var process = (to.Process - from.Process).TotalSeconds / seconds;
        // Server processes that ended during the interval are left out; those that started count in full.
        var pg = to.PostgresTicks.Sum(p => p.Value - from.PostgresTicks.GetValueOrDefault(p.Key)) / ClockTicksPerSecond / seconds;
        var other = Math.Max(0, busy * Environment.ProcessorCount - process - pg);
        var commits = to.Commits > from.Commits
            ? string.Create(CultureInfo.InvariantCulture, $"; {(double)(to.CommittedWrites - from.CommittedWrites) / (to.Commits - from.Commits):0.0} grain state writes per PostgreSQL commit")
            : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"CPU: machine {busy:P0} busy of {Environment.ProcessorCount} cores; this process (node + consoles + driver) {process:0.00} cores, " +
            $"PostgreSQL ~{pg:0.00} cores, other processes ~{other:0.00} cores; JIT {to.JitMethods - from.JitMethods} methods, " +
            $"{(to.JitTime - from.JitTime).TotalMilliseconds:0} ms; GC {to.Gen0 - from.Gen0}/{to.Gen1 - from.Gen1}/{to.Gen2 - from.Gen2} (gen 0/1/2), " +
            $"paused {(to.GcPause - from.GcPause).TotalMilliseconds:0} ms, allocated {(to.Allocated - from.Allocated) / 1e6:0} MB{commits}");
    }
}

/// <summary>Counts the node's group commits (the "huadu.storage.group_commit.writes" histogram) from a MeterListener.</summary>
public static class GroupCommits
{
    private static long _commits, _writes;
    private static readonly System.Diagnostics.Metrics.MeterListener Listener = Start();

    public static long Commits => Interlocked.Read(ref _commits);
    public static long Writes => Interlocked.Read(ref _writes);

    private static System.Diagnostics.Metrics.MeterListener Start()
    {
        var listener = new System.Diagnostics.Metrics.MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == HuaduDispatch.Silo.Storage.GroupCommitGrainStorage.MeterName) l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<int>((_, value, _, _) =>
        {
            Interlocked.Increment(ref _commits);
            Interlocked.Add(ref _writes, value);
        });
        listener.Start();
        return listener;
    }

    /// <summary>Starts listening (before the node starts).</summary>
    public static void Touch() => GC.KeepAlive(Listener);
}

public static class LoadAverage
{
    public static string Read()
    {
        try { return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "n/a"; }
    }
}
