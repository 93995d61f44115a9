using System.Text.Json;
using HuaduDispatch.Contracts;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace HuaduDispatch.RealtimeBench;

/// <summary>
/// One dispatch console: a real .NET SignalR client on /hubs/dispatch, subscribed to "district". For every team delta it
/// records when the batch arrived against the report it came from (found by position.at, checked against the team id), and
/// it checks the scope's sequence numbers go up by exactly one (a gap is a lost delta; this console does not resync).
/// With the lean binding (the default) the JSON protocol binds each delta to <see cref="LeanDelta"/>: the envelope plus the
/// entity's id and position.at, skipping the rest of the entity as it reads; with the full binding it binds the contract's
/// <see cref="Delta"/>, whose data becomes a JsonElement (a parsed copy of the whole entity). The consoles share the node's two
/// cores here, where in the field each runs on its own machine, so the lean binding keeps their share small.
/// </summary>
public sealed class BenchConsole : IAsyncDisposable
{
    private readonly UpdateLog _log;
    private readonly ChunkedInts _receivedUs = new();
    private long _lastSeq;

    public HubConnection Connection { get; }
    public int Gaps { get; private set; }
    public int Duplicates { get; private set; }
    public int Mismatched { get; private set; }
    public int Closed;
    /// <summary>Delta messages (batches) received, and the district deltas in them.</summary>
    public long Messages, DistrictDeltas;

    private BenchConsole(HubConnection connection, UpdateLog log, bool lean)
    {
        Connection = connection;
        _log = log;
        if (lean) Connection.On<IReadOnlyList<LeanDelta>>("Delta", OnLeanDeltas);
        else Connection.On<IReadOnlyList<Delta>>("Delta", OnDeltas);
        Connection.Closed += _ =>
        {
            Interlocked.Increment(ref Closed);
            return Task.CompletedTask;
        };
    }

    public static async Task<BenchConsole> ConnectAsync(Uri baseAddress, string token, UpdateLog log, bool lean, CancellationToken ct)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(baseAddress, "/hubs/dispatch"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
            .AddJsonProtocol(o => DispatchJson.Configure(o.PayloadSerializerOptions))
            .Build();
        var console = new BenchConsole(connection, log, lean);
        await connection.StartAsync(ct);
        var snapshot = await connection.InvokeAsync<ScopeSnapshot>(nameof(IDispatchHub.Subscribe), Scopes.District, ct);
        var teams = snapshot.Entities.Count(e => e.Kind == DeltaKinds.Team);
        if (teams != log.TeamIds.Count) throw new InvalidOperationException($"district snapshot has {teams} teams, expected {log.TeamIds.Count}");
        console._lastSeq = snapshot.Seq;
        return console;
    }

    /// <summary>SignalR calls a connection's handlers one at a time, so these need no lock.</summary>
    private void OnDeltas(IReadOnlyList<Delta> batch)
    {
        var now = _log.NowUs();
        Messages++;
        foreach (var d in batch)
        {
            if (!InSequence(d.Scope, d.Seq)) continue;
            if (d.Kind != DeltaKinds.Team || d.Data is not JsonElement data) continue;
            if (!data.TryGetProperty("position", out var position) || !position.TryGetProperty("at", out var at)) continue;
            Received(now, at.GetDateTimeOffset(), data.GetProperty("id").GetString());
        }
    }

    private void OnLeanDeltas(IReadOnlyList<LeanDelta> batch)
    {
        var now = _log.NowUs();
        Messages++;
        foreach (var d in batch)
        {
            if (!InSequence(d.Scope, d.Seq)) continue;
            if (d.Kind != DeltaKinds.Team || d.Data?.Position is not { } position) continue;
            Received(now, position.At, d.Data.Id);
        }
    }

    /// <summary>Checks a district delta's sequence number; false for other scopes and for deltas already in the snapshot.</summary>
    private bool InSequence(string? scope, long seq)
    {
        if (scope != Scopes.District) return false;
        DistrictDeltas++;
        if (seq <= _lastSeq) return false; // sent between joining and the snapshot: already in it
        if (seq > _lastSeq + 1) Gaps += (int)(seq - _lastSeq - 1);
        _lastSeq = seq;
        return true;
    }

    private void Received(int now, DateTimeOffset at, string? teamId)
    {
        var n = _log.Lookup(at.UtcTicks);
        if (n < 0) return;
        if (teamId != _log.TeamIds[_log.Team(n)])
        {
            Mismatched++;
            return;
        }
        if (_receivedUs.Get(n) != 0)
        {
            Duplicates++;
            return;
        }
        _receivedUs.Set(n, now + 1);
        _log.Delivered();
    }

    /// <summary>When this console received report n, or -1.</summary>
    public int ReceivedUs(int n) => _receivedUs.Get(n) - 1;

    public async ValueTask DisposeAsync() => await Connection.DisposeAsync();
}

/// <summary>What the lean console binds of a delta; the JSON protocol skips the other members of the entity.</summary>
public sealed class LeanDelta
{
    public string? Scope { get; set; }
    public long Seq { get; set; }
    public string? Kind { get; set; }
    public string? Id { get; set; }
    public LeanEntity? Data { get; set; }
}

public sealed class LeanEntity
{
    public string? Id { get; set; }
    public TeamPosition? Position { get; set; }
}
