using System.Buffers.Binary;
using System.Data.Common;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Threading.Channels;
using HuaduDispatch.Contracts;
using Npgsql;
using NpgsqlTypes;
using Orleans.Storage;

namespace HuaduDispatch.Silo.Storage;

/// <summary>
/// Grain state in PostgreSQL with group commit. Grain state writes that arrive while
/// an earlier batch is being written wait in a queue; a writer then sends all of them (up to <see cref="GroupCommitOptions.MaxBatch"/>)
/// in one round trip and one transaction, so a burst of team reports costs one commit and one WAL flush instead of one each.
/// Each write is the same compare-and-swap as the ADO.NET provider's WriteToStorageKey query (the stored function
/// <c>grain_state_write</c>, same row identity and ETag), and a grain's write completes only after its batch has committed,
/// so every acknowledged change is durable. A version conflict fails only that grain's write (InconsistentStateException).
/// A statement the server refuses rolls the batch back; its writes are then made again one by one, so only the refused one
/// fails. A lost connection fails every write of the batch.
/// Reads and clears go to the ADO.NET provider, which this wraps; rows written here have the identity it reads (<see cref="StoredGrainKey"/>).
/// </summary>
public sealed class GroupCommitGrainStorage : IGrainStorage, IAsyncDisposable
{
    /// <summary>Meter name for OpenTelemetry (Telemetry adds it): "huadu.storage.group_commit.writes", a histogram of the grain
    /// state writes per commit.</summary>
    public const string MeterName = "HuaduDispatch.Storage";
    private static readonly Meter Meter = new(MeterName);
    private static readonly Histogram<int> WritesPerCommit = Meter.CreateHistogram<int>("huadu.storage.group_commit.writes", "{write}",
        "Grain state writes committed together in one PostgreSQL transaction");

    private const string WriteSql = "/* huadu:group-commit write */ SELECT grain_state_write($1, $2, $3, $4, $5, $6, $7)";

    private readonly IGrainStorage _provider;
    private readonly NpgsqlDataSource _database;
    private readonly string _serviceId;
    private readonly IGrainStorageSerializer _serializer;
    private readonly GroupCommitOptions _options;
    private readonly ILogger _logger;
    private readonly Channel<PendingWrite> _queue = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleWriter = false });
    private readonly Task[] _writers;
    private long _commits;

    /// <summary>Transactions committed so far by this storage (each holds one or more grain state writes).</summary>
    public long Commits => Interlocked.Read(ref _commits);

    public GroupCommitGrainStorage(IGrainStorage provider, NpgsqlDataSource database, string serviceId, IGrainStorageSerializer serializer,
        GroupCommitOptions options, ILogger<GroupCommitGrainStorage> logger)
    {
        if (options.Problems().FirstOrDefault() is { } problem) throw new ArgumentOutOfRangeException(nameof(options), problem);
        _provider = provider;
        _database = database;
        _serviceId = serviceId;
        _serializer = serializer;
        _options = options;
        _logger = logger;
        _writers = Enumerable.Range(0, options.Writers).Select(_ => Task.Run(WriteLoop)).ToArray();
    }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Carried(() => _provider.ReadStateAsync(stateName, grainId, grainState));

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Carried(() => _provider.ClearStateAsync(stateName, grainId, grainState));

    /// <summary>
    /// Runs a call of the ADO.NET provider, turning the database's transient faults (as Npgsql judges them) into
    /// <see cref="DatabaseUnavailableException"/> (<see cref="Carried(Exception)"/>); the group-commit writes fail in that form
    /// from <see cref="Fail"/>, once per batch.
    /// </summary>
    internal static async Task Carried(Func<Task> call)
    {
        try
        {
            try
            {
                await call();
            }
            catch (Exception e) when (SessionEnded(e) || e.InnerException is { } inner && SessionEnded(inner))
            {
                // The provider's pooled connection had lost its session (a database restart): once more on a fresh one. Its
                // reads change nothing, and its writes carry the version they expect (CommitOnLiveConnection).
                NpgsqlConnection.ClearAllPools();
                await call();
            }
        }
        catch (Exception e) when (Carried(e) is { } unavailable)
        {
            throw unavailable;
        }
    }

    /// <summary>
    /// A transient database fault in the form Orleans carries to a caller on another silo: the driver's exception it cannot,
    /// and that caller's client got a 500 instead of the 503 that says to retry (until the thirtieth session). Null otherwise.
    /// </summary>
    internal static DatabaseUnavailableException? Carried(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
            if (x is DbException { IsTransient: true } db) return new DatabaseUnavailableException($"the database did not answer: {db.Message}");
        return null;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (stateName.Contains('`', StringComparison.Ordinal))
        {
            // A generic state name, which the provider rewrites before storing it: leave it to the provider.
            await Carried(() => _provider.WriteStateAsync(stateName, grainId, grainState));
            return;
        }

        int? expected = string.IsNullOrWhiteSpace(grainState.ETag) ? null : int.Parse(grainState.ETag, CultureInfo.InvariantCulture);
        var write = new PendingWrite(stateName, StoredGrainKey.Of(grainId), expected, _serializer.Serialize(grainState.State).ToMemory());
        if (!_queue.Writer.TryWrite(write))
            throw new InvalidOperationException("Grain storage is stopping: the write was not made.");
        var version = await write.Done.Task;
        if (version is null)
        {
            throw new InconsistentStateException(
                $"Version conflict (WriteState): ServiceId={_serviceId} State={stateName} GrainId={grainId} ETag={grainState.ETag}.",
                storedEtag: "unknown", currentEtag: grainState.ETag ?? "none");
        }
        grainState.ETag = version.Value.ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    private async Task WriteLoop()
    {
        var reader = _queue.Reader;
        var batch = new List<PendingWrite>(_options.MaxBatch);
        while (await reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < _options.MaxBatch && reader.TryRead(out var write)) batch.Add(write);
            if (batch.Count == 0) continue;
            try
            {
                await CommitOnLiveConnection(batch);
            }
            catch (PostgresException e) when (batch.Count > 1 && e.InvariantSeverity == "ERROR")
            {
                // The server refused one of the statements and rolled the whole batch back, so none of it was applied: write
                // each again on its own, so that only the write it refuses fails.
                _logger.LogWarning(e, "Group commit of {Count} grain state writes was refused; writing them one by one", batch.Count);
                foreach (var write in batch)
                {
                    try { await CommitAndComplete([write]); }
                    catch (Exception alone) { Fail([write], alone); }
                }
            }
            catch (Exception e)
            {
                Fail(batch, e);
            }
        }
    }

    /// <summary>
    /// Commits the batch; when the server had ended the connection's session (a PostgreSQL restart or failover ends every
    /// session, and the pool's idle connections learn it only when next used), once more on a fresh connection. Until the
    /// thirty-first session the first write after each restart was a 503 that said it might have taken effect, though the
    /// health probes were green (the contract tester's M2, four times in four restarts). The batch is safe to send again: a
    /// session that ends before its commit rolls back, and each write carries the version it expects, so one that did commit
    /// would meet a version conflict, never be applied twice.
    /// </summary>
    private async Task CommitOnLiveConnection(List<PendingWrite> batch)
    {
        try
        {
            await CommitAndComplete(batch);
        }
        catch (Exception e) when (SessionEnded(e))
        {
            _logger.LogWarning("The database had ended the session of a pooled connection ({Error}); writing the batch of {Count} again on a fresh connection",
                e.Message, batch.Count);
            _database.Clear();
            await CommitAndComplete(batch);
        }
    }

    /// <summary>
    /// The server ended the connection's session (administrator or crash shutdown, idle session timeout) or the connection
    /// broke: nothing sent on it after that was committed. Not a lock or statement timeout, a refused statement, or a failure to
    /// connect (which a fresh connection would meet as well).
    /// </summary>
    internal static bool SessionEnded(Exception e) => e switch
    {
        PostgresException p => p.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.IdleSessionTimeout,
        NpgsqlException { InnerException: IOException or EndOfStreamException } => true,
        _ => false,
    };

    private async Task CommitAndComplete(List<PendingWrite> batch)
    {
        var versions = await Commit(batch);
        Interlocked.Increment(ref _commits);
        WritesPerCommit.Record(batch.Count);
        for (var i = 0; i < batch.Count; i++) batch[i].Done.TrySetResult(versions[i]);
    }

    /// <summary>
    /// The writes failed: a refused statement (each alone), or a lost connection or server, where a commit sent before the loss
    /// may still have been applied (the same uncertainty as any single write; the grain's next write then meets a version conflict).
    /// </summary>
    private void Fail(List<PendingWrite> batch, Exception e)
    {
        _logger.LogError(e, "Grain state write(s) failed ({Count})", batch.Count);
        var failure = Carried(e) ?? e;
        foreach (var write in batch) write.Done.TrySetException(failure);
    }

    /// <summary>
    /// One round trip: the batch's commands run in one implicit transaction that PostgreSQL commits at the end of the batch
    /// (an error rolls back all of them). The versions are handed out only after the reader has read to the end of the batch,
    /// which is after the server's commit (synchronous_commit as configured on the server: durable by default).
    /// </summary>
    private async Task<int?[]> Commit(List<PendingWrite> batch)
    {
        await using var connection = await _database.OpenConnectionAsync();
        await using var command = new NpgsqlBatch(connection);
        foreach (var write in batch)
        {
            var c = new NpgsqlBatchCommand(WriteSql);
            c.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _serviceId, NpgsqlDbType = NpgsqlDbType.Text });
            c.Parameters.Add(new NpgsqlParameter<string> { TypedValue = write.StateName, NpgsqlDbType = NpgsqlDbType.Text });
            c.Parameters.Add(new NpgsqlParameter<long> { TypedValue = write.Key.N0, NpgsqlDbType = NpgsqlDbType.Bigint });
            c.Parameters.Add(new NpgsqlParameter<long> { TypedValue = write.Key.N1, NpgsqlDbType = NpgsqlDbType.Bigint });
            c.Parameters.Add(new NpgsqlParameter { Value = (object?)write.Key.Extension ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            c.Parameters.Add(new NpgsqlParameter { Value = write.ExpectedVersion is { } v ? v : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
            c.Parameters.Add(new NpgsqlParameter<ReadOnlyMemory<byte>> { TypedValue = write.Payload, NpgsqlDbType = NpgsqlDbType.Bytea });
            command.BatchCommands.Add(c);
        }

        var versions = new int?[batch.Count];
        await using (var reader = await command.ExecuteReaderAsync())
        {
            for (var i = 0; i < batch.Count; i++)
            {
                if ((i > 0 && !await reader.NextResultAsync()) || !await reader.ReadAsync())
                    throw new InvalidOperationException($"grain_state_write returned no row for write {i + 1} of {batch.Count}.");
                versions[i] = await reader.IsDBNullAsync(0) ? null : reader.GetInt32(0);
            }
            while (await reader.NextResultAsync()) { }
        }
        return versions;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await Task.WhenAll(_writers);
        await _database.DisposeAsync();
    }

    private sealed class PendingWrite(string stateName, StoredGrainKey key, int? expectedVersion, ReadOnlyMemory<byte> payload)
    {
        public string StateName { get; } = stateName;
        public StoredGrainKey Key { get; } = key;
        public int? ExpectedVersion { get; } = expectedVersion;
        public ReadOnlyMemory<byte> Payload { get; } = payload;
        public TaskCompletionSource<int?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>
/// The row identity the ADO.NET provider gives a grain (grain_id_n0, grain_id_n1, grain_id_ext), so that rows written here are the
/// rows it reads. Orleans takes a key that parses as a Guid (32 hex digits) or as a hexadecimal integer as such, whatever interface
/// made it: "D01" is the integer 0xD01, N1 = 3329 with no extension. A Guid key is split into the two little-endian halves of its
/// bytes. Any other key is a string key: N0 = N1 = 0 and the whole key in grain_id_ext.
/// </summary>
public readonly record struct StoredGrainKey(long N0, long N1, string? Extension)
{
    public static StoredGrainKey Of(GrainId grainId)
    {
        if (grainId.TryGetGuidKey(out var guid, out var guidExtension))
        {
            Span<byte> bytes = stackalloc byte[16];
            guid.TryWriteBytes(bytes);
            return new StoredGrainKey(BinaryPrimitives.ReadInt64LittleEndian(bytes), BinaryPrimitives.ReadInt64LittleEndian(bytes[8..]), guidExtension);
        }
        if (grainId.TryGetIntegerKey(out var integer, out var integerExtension)) return new StoredGrainKey(0, integer, integerExtension);
        return new StoredGrainKey(0, 0, grainId.Key.ToString());
    }
}

/// <summary>Configuration section "GroupCommit" (PostgreSQL mode).</summary>
public sealed class GroupCommitOptions
{
    public const string Section = "GroupCommit";

    /// <summary>Most grain state writes in one transaction.</summary>
    public int MaxBatch { get; set; } = 64;

    /// <summary>Batches in flight at once (each on its own pooled connection): while one commits, the next is sent.</summary>
    public int Writers { get; set; } = 2;

    /// <summary>What is wrong with these settings, one message per problem naming its key (none when they can be used).</summary>
    public IEnumerable<string> Problems()
    {
        if (MaxBatch < 1) yield return $"GroupCommit:MaxBatch must be at least 1, was {MaxBatch}";
        if (Writers < 1) yield return $"GroupCommit:Writers must be at least 1, was {Writers}";
    }
}
