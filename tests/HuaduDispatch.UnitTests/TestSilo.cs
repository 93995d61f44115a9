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
    /// configured with <paramref name="settings"/> (configuration keys, as in appsettings).
    /// </summary>
    public static void AddTestDomain(this ISiloBuilder silo, IDictionary<string, string?>? settings = null, bool failableWrites = false)
    {
        if (failableWrites)
        {
            // The in-memory storage, behind one whose writes of a state name fail while a test asks (FailingWrites.StateName).
            silo.AddMemoryGrainStorage(StorageNames.Dispatch + "-memory");
            silo.Services.AddGrainStorage(StorageNames.Dispatch, (sp, _) =>
                new FailingWrites(sp.GetRequiredKeyedService<Orleans.Storage.IGrainStorage>(StorageNames.Dispatch + "-memory")));
        }
        else silo.AddMemoryGrainStorage(StorageNames.Dispatch);
        silo.UseInMemoryReminderService();
        silo.Services.AddSingleton(TimeProvider.System);
        silo.Services.AddDispatchDomain(new ConfigurationBuilder().AddInMemoryCollection(settings ?? new Dictionary<string, string?>()).Build());
    }
}

/// <summary>Grain storage whose writes of one state name fail while <see cref="StateName"/> is set (a lost database, for a test).</summary>
public sealed class FailingWrites(Orleans.Storage.IGrainStorage inner) : Orleans.Storage.IGrainStorage
{
    public static volatile string? StateName;
    private static int _failed;

    /// <summary>Writes failed on purpose so far (a test waits on it when the failing call is one-way).</summary>
    public static int Failed => Volatile.Read(ref _failed);

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ReadStateAsync(stateName, grainId, grainState);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (stateName != StateName) return inner.WriteStateAsync(stateName, grainId, grainState);
        Interlocked.Increment(ref _failed);
        throw new IOException($"injected: the write of '{stateName}' failed");
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ClearStateAsync(stateName, grainId, grainState);
}
