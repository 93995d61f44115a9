using HuaduDispatch.Grains;
using HuaduDispatch.Grains.Dispatch;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime.Hosting;

namespace HuaduDispatch.UnitTests;

public static class TestSilo
{
    /// <summary>
    /// What every test cluster's silo runs: in-memory grain state and reminders, the system clock, and the dispatch domain
    /// configured with <paramref name="settings"/> (configuration keys, as in appsettings). Grain state is kept as the silo keeps
    /// it (<see cref="HuaduDispatch.Silo.Storage.JsonGrainStorageSerializer"/>), so a state read back after a restart reads as in
    /// production (Orleans' default for memory storage writes CLR type names and cannot read back some collection types).
    /// </summary>
    public static void AddTestDomain(this ISiloBuilder silo, IDictionary<string, string?>? settings = null, bool failableWrites = false)
    {
        var serializer = new HuaduDispatch.Silo.Storage.JsonGrainStorageSerializer();
        if (failableWrites)
        {
            // The in-memory storage, behind one whose writes of a state name fail while a test asks (FailingWrites.Refused).
            silo.AddMemoryGrainStorage(StorageNames.Dispatch + "-memory", o => o.GrainStorageSerializer = serializer);
            silo.Services.AddGrainStorage(StorageNames.Dispatch, (sp, _) =>
                new FailingWrites(sp.GetRequiredKeyedService<Orleans.Storage.IGrainStorage>(StorageNames.Dispatch + "-memory")));
        }
        else silo.AddMemoryGrainStorage(StorageNames.Dispatch, o => o.GrainStorageSerializer = serializer);
        silo.UseInMemoryReminderService();
        silo.Services.AddSingleton(TimeProvider.System);
        silo.Services.AddDispatchDomain(new ConfigurationBuilder().AddInMemoryCollection(settings ?? new Dictionary<string, string?>()).Build());
    }
}

/// <summary>A one-silo test cluster configured by <typeparamref name="T"/>, deployed.</summary>
public static class TestClusters
{
    public static async Task<Orleans.TestingHost.TestCluster> Deploy<T>() where T : Orleans.TestingHost.ISiloConfigurator, new()
    {
        var builder = new Orleans.TestingHost.TestClusterBuilder(1);
        builder.AddSiloBuilderConfigurator<T>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }
}

/// <summary>The real relief planner with something a test needs done before each solve (a hold, a delay, a record).</summary>
/// <paramref name="after"/>, when given, may change each solve's result (a planner gone wrong, for a test).
public sealed class BeforeEachSolve(HuaduDispatch.Grains.Relief.IReliefPlanner inner, Action<IReadOnlyList<HuaduDispatch.Grains.Relief.ReliefLoad>?> before,
    Func<HuaduDispatch.Grains.Relief.ReliefPlanResult, HuaduDispatch.Grains.Relief.ReliefPlanResult>? after = null)
    : HuaduDispatch.Grains.Relief.IReliefPlanner
{
    public HuaduDispatch.Grains.Relief.ReliefPlanResult Plan(IReadOnlyList<HuaduDispatch.Grains.Relief.ReliefDemandInput> demands,
        IReadOnlyList<HuaduDispatch.Grains.Relief.ReliefWarehouse> warehouses,
        IReadOnlyDictionary<string, HuaduDispatch.Grains.Relief.ReliefItemSpec> items, DateTimeOffset now,
        IReadOnlyList<HuaduDispatch.Grains.Relief.ReliefLoad>? inForce = null)
    {
        before(inForce);
        var result = inner.Plan(demands, warehouses, items, now, inForce);
        return after is null ? result : after(result);
    }
}

/// <summary>Grain storage whose writes of one state name fail during <see cref="Refused"/> (a lost database, for a test).</summary>
public sealed class FailingWrites(Orleans.Storage.IGrainStorage inner) : Orleans.Storage.IGrainStorage
{
    private static volatile string? StateName;
    private static int _failed;
    private static int _passing;

    /// <summary>
    /// Runs <paramref name="change"/> while the writes of <paramref name="stateName"/> fail, and checks it failed: the call threw,
    /// or, for a one-way call (which cannot throw to its caller), a write was refused within 10 s.
    /// </summary>
    /// <param name="passFirst">How many writes of <paramref name="stateName"/> still go through before they fail (a change that
    /// writes twice and fails at its second write).</param>
    public static async Task Refused(string stateName, Func<Task> change, bool oneWay = false, int passFirst = 0)
    {
        var before = Volatile.Read(ref _failed);
        Volatile.Write(ref _passing, passFirst);
        StateName = stateName;
        try
        {
            if (!oneWay)
            {
                await Assert.ThrowsAnyAsync<Exception>(change);
                return;
            }
            await change();
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (Volatile.Read(ref _failed) == before)
            {
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"no write of '{stateName}' was tried within 10 s");
                await Task.Delay(10);
            }
        }
        finally
        {
            StateName = null;
        }
    }

    /// <summary>Every write and clear of <paramref name="stateName"/> fails from now until <see cref="Stop"/>.</summary>
    public static void FailFromNow(string stateName)
    {
        Volatile.Write(ref _passing, 0);
        StateName = stateName;
    }

    public static void Stop() => StateName = null;

    private static volatile TaskCompletionSource? _held;
    private static volatile TaskCompletionSource? _release;

    /// <summary>
    /// Runs <paramref name="change"/> while the writes of <paramref name="stateName"/> fail, and holds its failing write until
    /// <paramref name="meanwhile"/> has sent more calls (they queue behind the change) and <paramref name="queueing"/> has passed;
    /// then the write fails, and the writes after it go through. Returns what <paramref name="meanwhile"/> returned once its calls
    /// were answered.
    /// </summary>
    public static async Task<T> RefusedWhileQueued<T>(string stateName, Func<Task> change, Func<Task<T>> meanwhile, TimeSpan queueing)
    {
        Task<T>? queued = null;
        await Hold(stateName, change, async () =>
        {
            queued = meanwhile();
            await Task.Delay(queueing);
            Assert.False(queued.IsCompleted, "the calls sent during the held write were answered before it ended");
        });
        return await queued!;
    }

    /// <summary>
    /// Runs <paramref name="change"/> while the writes of <paramref name="stateName"/> fail, holds its failing write while
    /// <paramref name="meanwhile"/> runs (calls that may interleave with the change are answered then), and then fails it.
    /// Returns what <paramref name="meanwhile"/> gave.
    /// </summary>
    public static async Task<T> RefusedWhileHeld<T>(string stateName, Func<Task> change, Func<Task<T>> meanwhile)
    {
        T result = default!;
        await Hold(stateName, change, async () => result = await meanwhile());
        return result;
    }

    /// <summary>Starts <paramref name="change"/>, runs <paramref name="whileHeld"/> once its write is held, then fails that write.</summary>
    private static async Task Hold(string stateName, Func<Task> change, Func<Task> whileHeld)
    {
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _held = held;
        _release = release;
        Volatile.Write(ref _passing, 0);
        StateName = stateName;
        try
        {
            var failing = change();
            await held.Task.WaitAsync(TimeSpan.FromSeconds(10));
            await whileHeld();
            release.SetResult();
            await Assert.ThrowsAnyAsync<Exception>(() => failing);
        }
        finally
        {
            StateName = null;
            _held = null;
            _release = null;
            release.TrySetResult();
        }
    }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ReadStateAsync(stateName, grainId, grainState);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (stateName != StateName || Interlocked.Decrement(ref _passing) >= 0) return inner.WriteStateAsync(stateName, grainId, grainState);
        Interlocked.Increment(ref _failed);
        if (_held is { } held && _release is { } release)
        {
            _held = null; // only the first failing write is held, and it is the only one that fails: the calls queued behind it write
            StateName = null;
            held.TrySetResult();
            return FailAfter(release.Task, stateName);
        }
        throw new IOException($"injected: the write of '{stateName}' failed");
    }

    private static async Task FailAfter(Task release, string stateName)
    {
        await release;
        throw new IOException($"injected: the write of '{stateName}' failed");
    }

    /// <summary>A clear is a write too: it fails as the writes of the state name do.</summary>
    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (stateName != StateName || Interlocked.Decrement(ref _passing) >= 0) return inner.ClearStateAsync(stateName, grainId, grainState);
        Interlocked.Increment(ref _failed);
        throw new IOException($"injected: the clear of '{stateName}' failed");
    }
}
