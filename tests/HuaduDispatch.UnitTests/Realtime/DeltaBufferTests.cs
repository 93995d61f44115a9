using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Realtime;

namespace HuaduDispatch.UnitTests.Realtime;

public sealed class DeltaBufferTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 29, 8, 0, 0, TimeSpan.Zero);

    private static EntityChange Change(string id) => new() { Kind = DeltaKinds.Team, Id = id, Data = id };

    [Fact]
    public void Each_change_gets_the_next_sequence_number_in_its_scope()
    {
        var buffer = new DeltaBuffer("district", 100, 10, TimeSpan.FromMinutes(1));
        var first = buffer.Append([Change("a"), Change("b")], T0);
        var second = buffer.Append([Change("c")], T0);
        Assert.Equal([101L, 102L, 103L], first.Concat(second).Select(d => d.Seq));
        Assert.All(first, d => Assert.Equal("district", d.Scope));
        Assert.Equal(103, buffer.Seq);
    }

    [Fact]
    public void Resync_returns_exactly_the_missed_deltas_in_order()
    {
        var buffer = new DeltaBuffer("s", 0, 10, TimeSpan.FromMinutes(1));
        buffer.Append([Change("a"), Change("b"), Change("c"), Change("d")], T0);
        Assert.Equal([3L, 4L], buffer.Since(2, T0)!.Select(d => d.Seq));
        Assert.Empty(buffer.Since(4, T0)!);
        Assert.Equal(4, buffer.Since(0, T0)!.Count);
    }

    [Fact]
    public void Resync_past_the_kept_window_or_from_an_unknown_future_number_needs_a_snapshot()
    {
        var bounded = new DeltaBuffer("s", 0, 3, TimeSpan.FromMinutes(1));
        bounded.Append([Change("a"), Change("b"), Change("c"), Change("d"), Change("e")], T0);
        Assert.Null(bounded.Since(1, T0));              // 2 is gone (only 3..5 kept)
        Assert.Equal([3L, 4L, 5L], bounded.Since(2, T0)!.Select(d => d.Seq));
        Assert.Null(bounded.Since(99, T0));             // another epoch of the scope

        var aged = new DeltaBuffer("s", 0, 100, TimeSpan.FromMinutes(1));
        aged.Append([Change("a")], T0);
        aged.Append([Change("b")], T0.AddSeconds(50));
        Assert.Null(aged.Since(0, T0.AddSeconds(70)));  // the first one aged out
        Assert.Equal([2L], aged.Since(1, T0.AddSeconds(70))!.Select(d => d.Seq));
    }

    [Theory]
    [InlineData("district", true)]
    [InlineData("area:huashan", true)]
    [InlineData("incident:INC-20261129-ABCDEFGH", true)]
    [InlineData("team:D01", false)]
    [InlineData("area:", false)]
    [InlineData("area:hua shan", false)]
    [InlineData("everything", false)]
    [InlineData(null, false)]
    public void Console_scopes_are_district_area_or_incident(string? scope, bool valid) =>
        Assert.Equal(valid, Scopes.TryParseConsoleScope(scope, out _, out _));

    [Fact]
    public void Recent_gives_the_last_deltas_flushed_within_the_window_in_order_and_at_most_max()
    {
        var buffer = new DeltaBuffer("s", 0, 100, TimeSpan.FromMinutes(10));
        buffer.Append([Change("a"), Change("b")], T0);
        buffer.Append([Change("c"), Change("d"), Change("e")], T0.AddSeconds(40));
        buffer.Append([Change("f")], T0.AddSeconds(41)); // not flushed yet
        Assert.Equal([3L, 4L, 5L], buffer.Recent(upToSeq: 5, since: T0.AddSeconds(30), max: 10).Select(d => d.Seq));
        Assert.Equal([4L, 5L], buffer.Recent(5, T0.AddSeconds(30), max: 2).Select(d => d.Seq));
        Assert.Equal([1L, 2L, 3L, 4L, 5L, 6L], buffer.Recent(6, T0, 10).Select(d => d.Seq));
        Assert.Empty(buffer.Recent(5, T0.AddSeconds(50), 10));
    }
}
