using HuaduDispatch.Grains;
using HuaduDispatch.Grains.Dispatch;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace HuaduDispatch.UnitTests;

public static class TestSilo
{
    /// <summary>
    /// What every test cluster's silo runs: in-memory grain state and reminders, the system clock, and the dispatch domain
    /// configured with <paramref name="settings"/> (configuration keys, as in appsettings).
    /// </summary>
    public static void AddTestDomain(this ISiloBuilder silo, IDictionary<string, string?>? settings = null)
    {
        silo.AddMemoryGrainStorage(StorageNames.Dispatch);
        silo.UseInMemoryReminderService();
        silo.Services.AddSingleton(TimeProvider.System);
        silo.Services.AddDispatchDomain(new ConfigurationBuilder().AddInMemoryCollection(settings ?? new Dictionary<string, string?>()).Build());
    }
}
