using HuaduDispatch.Grains.Relief;

namespace HuaduDispatch.UnitTests.Relief;

/// <summary>The relief solve's own thread: its result and errors reach the caller, and on Linux it runs below the node's priority.</summary>
public sealed class PlannerThreadTests
{
    [Fact]
    public async Task The_solve_runs_on_its_own_thread_and_its_result_or_exception_reaches_the_caller()
    {
        var caller = Environment.CurrentManagedThreadId;
        var (thread, pooled) = await PlannerThread.Run(() => (Environment.CurrentManagedThreadId, Thread.CurrentThread.IsThreadPoolThread), nice: 0);
        Assert.NotEqual(caller, thread);
        Assert.False(pooled);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => PlannerThread.Run<int>(() => throw new InvalidOperationException("GLOP ended ABNORMAL"), nice: 0));
        Assert.Equal("GLOP ended ABNORMAL", error.Message);
    }

    [Fact]
    public async Task On_linux_the_solve_and_the_threads_it_starts_run_at_the_lower_priority_and_the_caller_resumes_at_its_own()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Null(PlannerThread.CurrentNice()); // elsewhere the runtime's BelowNormal is asked for, and there is no nice value
            return;
        }
        var callerNice = PlannerThread.CurrentNice();
        Assert.NotNull(callerNice);
        var (solve, started) = await PlannerThread.Run(() =>
        {
            int? child = null;
            var second = new Thread(() => child = PlannerThread.CurrentNice());
            second.Start();
            second.Join();
            return (PlannerThread.CurrentNice(), child);
        }, nice: 7);
        Assert.Equal(Math.Max(callerNice.Value, 7), solve); // the value is set, not added (and never below the process's own)
        Assert.Equal(solve, started);
        // The continuation runs on a pool thread that kept its priority: the solve's thread queued nothing to the pool.
        Assert.Equal(callerNice, PlannerThread.CurrentNice());
    }
}
