using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;

namespace HuaduDispatch.Grains.Relief;

/// <summary>
/// Runs a relief solve on a thread of its own at a lower scheduling priority than the rest of the node
/// (<see cref="ReliefOptions.PlannerNice"/>), so that when the API, the hubs and a solve want the same cores, the requests and
/// the consoles' deltas come first and the solve gets what is left. A solve is seconds of native OR-Tools code: on a pool thread
/// it would also hold one of the pool's few threads (two on a 2-core node) for its whole budget.
/// </summary>
/// <remarks>
/// On Linux the thread raises its own nice value (setpriority on its thread id; an unprivileged process may raise it, never lower
/// it again, which is why the thread is not a pool thread). Threads it starts inherit the value: the planner's second start
/// (<see cref="ReliefPlannerOptions.ParallelStarts"/>) runs at the same priority. Elsewhere it asks the runtime for
/// <see cref="ThreadPriority.BelowNormal"/>. The thread must not queue work to the thread pool: the pool may start a new worker
/// on the thread that asks, and that worker would inherit the low priority and keep it while it serves requests. So the solve's
/// end is signalled with an event that a pool wait (registered here, on the caller's thread) turns into the task's completion.
/// </remarks>
internal static class PlannerThread
{
    /// <summary>
    /// Runs <paramref name="solve"/> on a new background thread whose nice value is set to <paramref name="nice"/> (0: left as
    /// the process's; a value below the process's own cannot be set and leaves it too); the task completes on the thread pool
    /// with its result or its exception.
    /// </summary>
    public static Task<T> Run<T>(Func<T> solve, int nice, string name = "relief-planner")
    {
        ArgumentNullException.ThrowIfNull(solve);
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var done = new ManualResetEvent(false);
        T result = default!;
        ExceptionDispatchInfo? error = null;
        ThreadPool.UnsafeRegisterWaitForSingleObject(done, (_, _) =>
        {
            done.Dispose();
            if (error is not null) completion.SetException(error.SourceException);
            else completion.SetResult(result);
        }, null, Timeout.Infinite, executeOnlyOnce: true);
        var thread = new Thread(() =>
        {
            Lower(nice);
            try { result = solve(); }
            catch (Exception e) { error = ExceptionDispatchInfo.Capture(e); }
            done.Set();
        })
        { IsBackground = true, Name = name };
        thread.Start();
        return completion.Task;
    }

    /// <summary>The current thread's nice value (Linux), or null where it cannot be read: for tests.</summary>
    public static int? CurrentNice()
    {
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            Marshal.SetLastPInvokeError(0);
            var value = Native.getpriority(Native.PrioProcess, Native.gettid());
            return value == -1 && Marshal.GetLastPInvokeError() != 0 ? null : value;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return null;
        }
    }

    private static void Lower(int nice)
    {
        if (nice <= 0) return;
        if (OperatingSystem.IsLinux())
        {
            try
            {
                // The thread's own id: on Linux setpriority with PRIO_PROCESS and a thread id sets that one thread.
                Native.setpriority(Native.PrioProcess, Native.gettid(), nice);
            }
            catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
            {
                // A C library without gettid: the solve runs at normal priority.
            }
            return;
        }
        try { Thread.CurrentThread.Priority = ThreadPriority.BelowNormal; }
        catch (Exception e) when (e is PlatformNotSupportedException or ThreadStateException)
        {
        }
    }

    private static class Native
    {
        public const int PrioProcess = 0;

        [DllImport("libc", SetLastError = true)]
        public static extern int setpriority(int which, int who, int prio);

        [DllImport("libc", SetLastError = true)]
        public static extern int getpriority(int which, int who);

        [DllImport("libc")]
        public static extern int gettid();
    }
}
