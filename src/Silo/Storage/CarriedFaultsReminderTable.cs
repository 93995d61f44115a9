using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace HuaduDispatch.Silo.Storage;

/// <summary>
/// The ADO.NET reminder table, with the database's transient faults thrown as <see cref="Contracts.DatabaseUnavailableException"/>
/// (and a call whose pooled connection's session the server had ended made once more), as the grain storage does. A reminder
/// is registered by the reminder service of the silo that owns the grain's range, often another node: Orleans could not carry
/// Npgsql's exception back, and the client's request was a 500 instead of a 503 (14 of 20 assessments in the relief tester's
/// database outage on a two-node cluster, thirty-first session).
/// </summary>
public sealed class CarriedFaultsReminderTable(IReminderTable inner) : IReminderTable
{
    private static async Task<T> Carried<T>(Func<Task<T>> call)
    {
        T result = default!;
        await GroupCommitGrainStorage.Carried(async () => result = await call());
        return result;
    }

    public Task StartAsync(CancellationToken cancellationToken) => GroupCommitGrainStorage.Carried(() => inner.StartAsync(cancellationToken));
    public Task StopAsync(CancellationToken cancellationToken) => inner.StopAsync(cancellationToken);
    public Task<ReminderTableData> ReadRows(GrainId grainId) => Carried(() => inner.ReadRows(grainId));
    public Task<ReminderTableData> ReadRows(GrainId grainId, CancellationToken cancellationToken) => Carried(() => inner.ReadRows(grainId, cancellationToken));
    public Task<ReminderTableData> ReadRows(uint begin, uint end) => Carried(() => inner.ReadRows(begin, end));
    public Task<ReminderTableData> ReadRows(uint begin, uint end, CancellationToken cancellationToken) => Carried(() => inner.ReadRows(begin, end, cancellationToken));
    public Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName) => Carried(() => inner.ReadRow(grainId, reminderName));
    public Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName, CancellationToken cancellationToken) => Carried(() => inner.ReadRow(grainId, reminderName, cancellationToken));
    public Task<string?> UpsertRow(ReminderEntry entry) => Carried(() => inner.UpsertRow(entry));
    public Task<string?> UpsertRow(ReminderEntry entry, CancellationToken cancellationToken) => Carried(() => inner.UpsertRow(entry, cancellationToken));
    public Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag) => Carried(() => inner.RemoveRow(grainId, reminderName, eTag));
    public Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag, CancellationToken cancellationToken) => Carried(() => inner.RemoveRow(grainId, reminderName, eTag, cancellationToken));
    public Task TestOnlyClearTable() => inner.TestOnlyClearTable();
    public Task TestOnlyClearTable(CancellationToken cancellationToken) => inner.TestOnlyClearTable(cancellationToken);

    /// <summary>Wraps the reminder table registered last (the ADO.NET one) in a <see cref="CarriedFaultsReminderTable"/>.</summary>
    public static void Decorate(IServiceCollection services)
    {
        var registered = services.LastOrDefault(d => d.ServiceType == typeof(IReminderTable) && !d.IsKeyedService)
            ?? throw new InvalidOperationException("no reminder table is registered to wrap");
        services.Remove(registered);
        services.AddSingleton<IReminderTable>(sp => new CarriedFaultsReminderTable(registered switch
        {
            { ImplementationInstance: IReminderTable instance } => instance,
            { ImplementationFactory: { } factory } => (IReminderTable)factory(sp),
            { ImplementationType: { } type } => (IReminderTable)ActivatorUtilities.CreateInstance(sp, type),
            _ => throw new InvalidOperationException("the reminder table's registration names no implementation"),
        }));
    }
}
