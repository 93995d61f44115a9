using HuaduDispatch.Silo.Schema;

namespace HuaduDispatch.UnitTests;

public sealed class SchemaScriptTests
{
    /// <summary>Every query key the three Orleans ADO.NET providers look up at start-up or use.</summary>
    public static TheoryData<string> ProviderQueryKeys => new()
    {
        // clustering
        "UpdateIAmAlivetimeKey", "InsertMembershipVersionKey", "InsertMembershipKey", "UpdateMembershipKey", "GatewaysQueryKey",
        "MembershipReadRowKey", "MembershipReadAllKey", "DeleteMembershipTableEntriesKey", "CleanupDefunctSiloEntriesKey",
        // persistence
        "WriteToStorageKey", "ReadFromStorageKey", "ClearStorageKey",
        // reminders
        "UpsertReminderRowKey", "ReadReminderRowsKey", "ReadReminderRowKey", "ReadRangeRows1Key", "ReadRangeRows2Key",
        "DeleteReminderRowKey", "DeleteReminderRowsKey",
    };

    [Theory]
    [MemberData(nameof(ProviderQueryKeys))]
    public void Schema_inserts_the_provider_query(string key)
    {
        Assert.Contains(SchemaMigrator.Scripts, s => s.Sql.Contains($"'{key}'", StringComparison.Ordinal));
    }

    [Fact]
    public void Scripts_are_embedded_numbered_from_one_without_gaps()
    {
        Assert.NotEmpty(SchemaMigrator.Scripts);
        Assert.Equal(Enumerable.Range(1, SchemaMigrator.Scripts.Count), SchemaMigrator.Scripts.Select(s => s.Version));
    }
}
