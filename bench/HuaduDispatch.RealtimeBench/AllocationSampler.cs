using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace HuaduDispatch.RealtimeBench;

/// <summary>
/// Samples the runtime's allocation ticks (one event per about 100 KB allocated, naming the type that crossed the mark) in
/// this process, to show which types the allocations are made of. On with HUADU_BENCH_ALLOCATIONS=1.
/// </summary>
public sealed class AllocationSampler : EventListener
{
    private readonly ConcurrentDictionary<string, long> _bytes = new();
    private volatile bool _on;

    public void Reset() { _bytes.Clear(); _on = true; }

    public IReadOnlyList<(string Type, long Bytes)> Top(int n)
    {
        _on = false;
        return [.. _bytes.OrderByDescending(kv => kv.Value).Take(n).Select(kv => (kv.Key, kv.Value))];
    }

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1); // GC
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (!_on || e.EventName is null || !e.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || e.Payload is null) return;
        var name = e.PayloadNames!.IndexOf("TypeName") is var t and >= 0 ? e.Payload[t] as string ?? "?" : "?";
        var amount = e.PayloadNames.IndexOf("AllocationAmount64") is var a and >= 0 ? Convert.ToInt64(e.Payload[a]) : 100_000;
        if (name == "System.Byte[]" && e.PayloadNames.IndexOf("ObjectSize") is var os and >= 0)
        {
            var size = Convert.ToInt64(e.Payload[os]);
            name = $"System.Byte[] ({(size < 1024 ? "<1K" : size < 4200 ? "1-4K" : size < 8300 ? "4-8K" : size < 16500 ? "8-16K" : size < 33000 ? "16-32K" : size < 66000 ? "32-64K" : ">64K")}, e.g. {size})";
        }
        _bytes.AddOrUpdate(name, amount, (_, v) => v + amount);
    }
}
