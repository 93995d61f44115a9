using HuaduDispatch.IntegrationTests.Infrastructure;
using HuaduDispatch.Silo.Schema;
using HuaduDispatch.Silo.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orleans.Runtime;
using Orleans.Storage;

namespace HuaduDispatch.IntegrationTests;

/// <summary>
/// The group-commit grain storage against a real PostgreSQL. To make a batch deterministic, a test holds a row lock on one grain's
/// row: the writer's batch with that grain waits in PostgreSQL, the writes made meanwhile queue up, and when the lock is released
/// they go together in the next batch.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class GroupCommitStorageTests(PostgresServer postgres)
{
    private const string ServiceId = "group-commit-test";
    private const string StateName = "probe";

    public sealed class Probe
    {
        public string Text { get; set; } = "";
    }

    [Fact]
    public async Task Writes_queued_behind_a_busy_writer_are_committed_together_in_one_transaction_and_each_is_stored()
    {
        var (cs, storage) = await NewStorage();
        await using var _ = storage;
        var blocked = await Written(storage, "lock-row", "a1");
        var others = await Task.WhenAll(Enumerable.Range(1, 20).Select(i => Written(storage, $"K{i}", "v1")));
        var before = storage.Commits;

        await using (var locker = await HoldRowLock(cs, "lock-row"))
        {
            var first = storage.WriteStateAsync(StateName, Id("lock-row"), With(blocked, "a2"));
            await UntilWriterWaitsOnLock(cs);
            var queued = others.Select((s, i) => storage.WriteStateAsync(StateName, Id($"K{i + 1}"), With(s, "v2"))).ToArray();
            Assert.All(queued, t => Assert.False(t.IsCompleted)); // they wait behind the blocked batch
            await locker.DisposeAsync();
            await first;
            await Task.WhenAll(queued);
        }

        Assert.Equal(2, storage.Commits - before); // A's batch, then all 20 at once
        for (var i = 1; i <= 20; i++)
        {
            var (text, version) = await Row(cs, $"K{i}");
            Assert.Equal("v2", text);
            Assert.Equal(2, version);
            Assert.Equal("2", others[i - 1].ETag);
        }
        Assert.Equal(("a2", 2), await Row(cs, "lock-row"));
    }

    [Fact]
    public async Task A_stale_etag_fails_only_its_own_write_and_the_rest_of_the_batch_commits()
    {
        var (cs, storage) = await NewStorage();
        await using var _ = storage;
        var blocked = await Written(storage, "lock-row", "a1");
        var stale = await Written(storage, "S", "s1");
        var good = await Written(storage, "G", "g1");
        await storage.WriteStateAsync(StateName, Id("S"), With(new GrainState<Probe>(new Probe { Text = "s2" }, stale.ETag), "s2")); // S is now at version 2
        var before = storage.Commits;

        await using (var locker = await HoldRowLock(cs, "lock-row"))
        {
            var first = storage.WriteStateAsync(StateName, Id("lock-row"), With(blocked, "a2"));
            await UntilWriterWaitsOnLock(cs);
            var conflicting = storage.WriteStateAsync(StateName, Id("S"), With(stale, "stale")); // still carries version 1
            var fine = storage.WriteStateAsync(StateName, Id("G"), With(good, "g2"));
            await locker.DisposeAsync();
            await first;
            await Assert.ThrowsAsync<InconsistentStateException>(() => conflicting);
            await fine;
        }

        Assert.Equal(2, storage.Commits - before);
        Assert.Equal(("s2", 2), await Row(cs, "S"));
        Assert.Equal(("g2", 2), await Row(cs, "G"));
        Assert.Equal("2", good.ETag);
        Assert.Equal("1", stale.ETag); // unchanged after the conflict
    }

    [Fact]
    public async Task A_write_the_server_refuses_fails_alone_and_the_rest_of_its_batch_is_written_one_by_one()
    {
        var (cs, storage) = await NewStorage();
        await using var _ = storage;
        var blocked = await Written(storage, "lock-row", "a1");
        var innocent = await Written(storage, "I", "i1");
        var before = storage.Commits;

        await using (var locker = await HoldRowLock(cs, "lock-row"))
        {
            var first = storage.WriteStateAsync(StateName, Id("lock-row"), With(blocked, "a2"));
            await UntilWriterWaitsOnLock(cs);
            var fine = storage.WriteStateAsync(StateName, Id("I"), With(innocent, "i2"));
            // A state name longer than the column allows (varchar(512)): the server refuses the insert, and the batch with it.
            var refused = storage.WriteStateAsync(new string('x', 600), Id("R"), new GrainState<Probe>(new Probe { Text = "r" }));
            await locker.DisposeAsync();
            await first;
            await Assert.ThrowsAsync<PostgresException>(() => refused);
            await fine;
        }

        Assert.Equal(("i2", 2), await Row(cs, "I"));
        Assert.Equal("2", innocent.ETag);
        Assert.Equal(0L, await Scalar(cs, "SELECT count(*) FROM grain_state WHERE grain_id_ext = 'R'"));
        Assert.Equal(2, storage.Commits - before); // the lock-row batch, then "I" alone (the refused batch and "R" commit nothing)
    }

    /// <summary>
    /// A batch whose session the server ends before its commit (P's statement already ran, nothing committed) is written once
    /// more on a fresh connection (since the thirty-first session). When that one is cut off as well, every write of the batch
    /// fails, those already executed included, and nothing of it is applied.
    /// </summary>
    [Fact]
    public async Task A_batch_cut_off_before_its_commit_is_sent_once_more_and_fails_whole_if_cut_off_again()
    {
        var (cs, storage) = await NewStorage();
        await using var _ = storage;
        var first = await Written(storage, "lock-first", "f1");
        var executed = await Written(storage, "P", "p1");
        var waiting = await Written(storage, "lock-second", "s1");

        await using var lockFirst = await HoldRowLock(cs, "lock-first");
        await using var lockSecond = await HoldRowLock(cs, "lock-second");
        var w0 = storage.WriteStateAsync(StateName, Id("lock-first"), With(first, "f2"));
        await UntilWriterWaitsOnLock(cs);
        var wP = storage.WriteStateAsync(StateName, Id("P"), With(executed, "p2"));           // next batch: P runs first...
        var wS = storage.WriteStateAsync(StateName, Id("lock-second"), With(waiting, "s2")); // ...then this one waits on the lock
        await lockFirst.DisposeAsync();
        await w0;
        await UntilWriterWaitsOnLock(cs);

        // The batch's connection is lost before its commit: P's statement already ran, but nothing was committed. The batch
        // goes again on a fresh connection, and waits on the same lock; that connection is lost too.
        static string Terminate(string also = "") => "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() " +
            $"AND wait_event_type = 'Lock' AND query LIKE '%group-commit write%'{also}) t";
        var firstPid = await Scalar(cs, "SELECT min(pid) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%group-commit write%'");
        Assert.Equal(1L, await Scalar(cs, Terminate()));
        await UntilWriterWaitsOnLock(cs, notPid: firstPid); // sent again, on another connection
        Assert.False(wP.IsCompleted);
        Assert.Equal(1L, await Scalar(cs, Terminate($" AND pid <> {firstPid}")));
        // A lost connection is a transient fault: thrown in the form Orleans carries between silos (since the thirtieth session).
        Assert.Contains("57P01", (await Assert.ThrowsAsync<HuaduDispatch.Contracts.DatabaseUnavailableException>(() => wP)).Message);
        await Assert.ThrowsAsync<HuaduDispatch.Contracts.DatabaseUnavailableException>(() => wS);
        Assert.Equal(("p1", 1), await Row(cs, "P"));
        Assert.Equal("1", executed.ETag);
    }

    /// <summary>A batch cut off before its commit and sent again on a fresh connection is applied once, at the next version.</summary>
    [Fact]
    public async Task A_batch_cut_off_before_its_commit_is_applied_once_by_the_second_sending()
    {
        var (cs, storage) = await NewStorage();
        await using var _ = storage;
        var waiting = await Written(storage, "lock-third", "s1");
        const string waiter = "FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%group-commit write%'";
        Task write;
        await using (var locker = await HoldRowLock(cs, "lock-third"))
        {
            write = storage.WriteStateAsync(StateName, Id("lock-third"), With(waiting, "s2"));
            await UntilWriterWaitsOnLock(cs);
            var firstPid = await Scalar(cs, "SELECT min(pid) " + waiter);
            Assert.Equal(1L, await Scalar(cs, "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) " + waiter + ") t"));
            await UntilWriterWaitsOnLock(cs, notPid: firstPid); // sent again, on another connection
            Assert.False(write.IsCompleted);
        }
        await write;
        Assert.Equal(("s2", 2), await Row(cs, "lock-third"));
        Assert.Equal("2", waiting.ETag);
    }

    /// <summary>
    /// The server closed the pool's idle connections (sessions terminated, as at a PostgreSQL restart or failover): the next
    /// write is stored. Until the thirty-first session the first batch met a dead connection and failed (a 503 after every
    /// database restart, the contract tester's M2); it is now sent again on a fresh connection.
    /// </summary>
    [Fact]
    public async Task After_the_server_closed_the_pools_connections_the_next_write_is_stored()
    {
        var cs = await postgres.CreateDatabaseAsync();
        await new SchemaMigrator(cs).MigrateAsync();
        await using var storage = new GroupCommitGrainStorage(new ReadsNotUsedHere(), NpgsqlDataSource.Create(cs), ServiceId, new HuaduDispatch.Silo.Storage.JsonGrainStorageSerializer(),
            new GroupCommitOptions { Writers = 2, MaxBatch = 64 }, NullLogger<GroupCommitGrainStorage>.Instance);
        var a = await Written(storage, "pool-a", "a1");
        var b = await Written(storage, "pool-b", "b1");
        // Two connections in the pool: one writer waits on a row lock while the other writes.
        await using (var locker = await HoldRowLock(cs, "pool-a"))
        {
            var waiting = storage.WriteStateAsync(StateName, Id("pool-a"), With(a, "a2"));
            await UntilWriterWaitsOnLock(cs);
            await storage.WriteStateAsync(StateName, Id("pool-b"), With(b, "b2"));
            await locker.DisposeAsync();
            await waiting;
        }
        Assert.Equal(2L, await Scalar(cs, "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() " +
            "AND pid <> pg_backend_pid() AND query LIKE '%group-commit write%') t"));

        await storage.WriteStateAsync(StateName, Id("pool-b"), With(b, "b3"));
        Assert.Equal(("b3", 3), await Row(cs, "pool-b"));
        await storage.WriteStateAsync(StateName, Id("pool-a"), With(a, "a3"));
        Assert.Equal(("a3", 3), await Row(cs, "pool-a"));
    }

    [Fact]
    public async Task A_first_write_of_a_grain_whose_row_exists_is_a_conflict_not_an_overwrite()
    {
        var (cs, storage) = await NewStorage();
        await using var _ = storage;
        await Written(storage, "dup", "first");
        var second = new GrainState<Probe>(new Probe { Text = "second activation" }); // no ETag: believes the row is new
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, Id("dup"), second));
        Assert.Equal(("first", 1), await Row(cs, "dup"));
    }

    [Theory]
    [InlineData("T01")]          // a string key
    [InlineData("D01")]          // hexadecimal: Orleans takes it as the integer 0xD01
    [InlineData("12+north")]     // an integer key with an extension
    [InlineData("0123456789abcdef0123456789abcdef")] // a Guid key
    public async Task A_row_written_by_group_commit_is_the_row_the_ado_net_provider_reads_and_writes(string key)
    {
        var cs = await postgres.CreateDatabaseAsync();
        await new SchemaMigrator(cs).MigrateAsync();
        await using var node = await DispatchNode.StartAsync(cs);
        var provider = node.Services.GetRequiredKeyedService<IGrainStorage>(Silo.Hosting.OrleansSetup.AdoNetStorageName);
        var storage = Assert.IsType<GroupCommitGrainStorage>(node.Services.GetRequiredKeyedService<IGrainStorage>("dispatch"));
        var id = Id(key);

        var state = new GrainState<Probe>(new Probe { Text = "from the provider" });
        await provider.WriteStateAsync(StateName, id, state);            // version 1, the provider's row
        await storage.WriteStateAsync(StateName, id, With(state, "from group commit")); // compare-and-swap on that same row
        Assert.Equal("2", state.ETag);

        var read = new GrainState<Probe>();
        await storage.ReadStateAsync(StateName, id, read);               // read by the provider
        Assert.Equal("from group commit", read.State?.Text);
        Assert.Equal("2", read.ETag);
        await provider.WriteStateAsync(StateName, id, With(read, "provider again"));
        Assert.Equal("3", read.ETag);
        Assert.Equal(1L, await Scalar(cs, "SELECT count(*) FROM grain_state WHERE state_name = 'probe'"));
    }

    [Fact]
    public void The_stored_key_follows_how_Orleans_reads_the_grain_key()
    {
        Assert.Equal(new StoredGrainKey(0, 0, "T01"), StoredGrainKey.Of(Id("T01")));
        Assert.Equal(new StoredGrainKey(0, 0xD01, null), StoredGrainKey.Of(Id("D01")));
        Assert.Equal(new StoredGrainKey(0, 7, null), StoredGrainKey.Of(GrainId.Create(GrainType.Create("probe"), GrainIdKeyExtensions.CreateIntegerKey(7))));
        var guid = Guid.Parse("00112233-4455-6677-8899-aabbccddeeff");
        var key = StoredGrainKey.Of(GrainId.Create(GrainType.Create("probe"), GrainIdKeyExtensions.CreateGuidKey(guid)));
        Assert.Equal(BitConverter.ToInt64(guid.ToByteArray(), 0), key.N0);
        Assert.Equal(BitConverter.ToInt64(guid.ToByteArray(), 8), key.N1);
        Assert.Null(key.Extension);
    }

    private async Task<(string Cs, GroupCommitGrainStorage Storage)> NewStorage()
    {
        var cs = await postgres.CreateDatabaseAsync();
        await new SchemaMigrator(cs).MigrateAsync();
        var storage = new GroupCommitGrainStorage(new ReadsNotUsedHere(), NpgsqlDataSource.Create(cs), ServiceId, new HuaduDispatch.Silo.Storage.JsonGrainStorageSerializer(),
            new GroupCommitOptions { Writers = 1, MaxBatch = 64 }, NullLogger<GroupCommitGrainStorage>.Instance);
        return (cs, storage);
    }

    private static GrainId Id(string key) => GrainId.Create("probe", key);

    private static async Task<GrainState<Probe>> Written(GroupCommitGrainStorage storage, string key, string text)
    {
        var state = new GrainState<Probe>(new Probe { Text = text });
        await storage.WriteStateAsync(StateName, Id(key), state);
        return state;
    }

    private static GrainState<Probe> With(GrainState<Probe> state, string text)
    {
        state.State = new Probe { Text = text };
        return state;
    }

    private static async Task<RowLock> HoldRowLock(string cs, string key)
    {
        var connection = new NpgsqlConnection(cs);
        await connection.OpenAsync();
        var tx = await connection.BeginTransactionAsync();
        await using var cmd = new NpgsqlCommand("SELECT 1 FROM grain_state WHERE grain_id_ext = $1 FOR UPDATE", connection, tx);
        cmd.Parameters.AddWithValue(key);
        Assert.Equal(1, await cmd.ExecuteScalarAsync());
        return new RowLock(connection, tx);
    }

    /// <summary>A transaction holding a row lock; disposing it rolls back, which releases the lock.</summary>
    private sealed class RowLock(NpgsqlConnection connection, NpgsqlTransaction tx) : IAsyncDisposable
    {
        private bool _released;

        public async ValueTask DisposeAsync()
        {
            if (_released) return;
            _released = true;
            await tx.DisposeAsync();
            await connection.DisposeAsync();
        }
    }

    /// <summary>Waits until a writer's batch waits on a row lock (one on a connection other than <paramref name="notPid"/>, if given).</summary>
    private static async Task UntilWriterWaitsOnLock(string cs, object? notPid = null)
    {
        await using var connection = new NpgsqlConnection(cs);
        await connection.OpenAsync();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            await using var cmd = new NpgsqlCommand(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%group-commit write%'" +
                (notPid is null ? "" : $" AND pid <> {notPid}"),
                connection);
            if ((long)(await cmd.ExecuteScalarAsync())! > 0) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the writer's batch never waited on the held row lock");
            await Task.Delay(20);
        }
    }

    private static async Task<object?> Scalar(string cs, string sql)
    {
        await using var connection = new NpgsqlConnection(cs);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        return await cmd.ExecuteScalarAsync();
    }

    private static async Task<(string Text, int Version)> Row(string cs, string key)
    {
        await using var connection = new NpgsqlConnection(cs);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT convert_from(payload, 'UTF8')::jsonb ->> 'text', version FROM grain_state WHERE service_id = $1 AND state_name = $2 AND grain_id_ext = $3",
            connection);
        cmd.Parameters.AddWithValue(ServiceId);
        cmd.Parameters.AddWithValue(StateName);
        cmd.Parameters.AddWithValue(key);
        await using var reader = await cmd.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), $"no row for {key}");
        return (reader.GetString(0), reader.GetInt32(1));
    }

    /// <summary>These tests only write string-keyed state, which never reaches the wrapped provider.</summary>
    private sealed class ReadsNotUsedHere : IGrainStorage
    {
        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => throw new NotSupportedException();
        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => throw new NotSupportedException();
        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => throw new NotSupportedException();
    }
}
