using System.Text.Json;
using HuaduDispatch.Contracts;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace HuaduDispatch.RealtimeBench;

/// <summary>
/// One dispatch console: a real .NET SignalR client on /hubs/dispatch, subscribed to "district". For every team delta it
/// records when the batch arrived against the report it came from (found by position.at, checked against the team id), and
/// it checks the scope's sequence numbers go up by exactly one (a gap is a lost delta; this console does not resync).
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

    private BenchConsole(HubConnection connection, UpdateLog log)
    {
        Connection = connection;
        _log = log;
        Connection.On<IReadOnlyList<Delta>>("Delta", OnDeltas);
        Connection.Closed += _ =>
        {
            Interlocked.Increment(ref Closed);
            return Task.CompletedTask;
        };
    }

    public static async Task<BenchConsole> ConnectAsync(Uri baseAddress, string token, UpdateLog log, CancellationToken ct)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(baseAddress, "/hubs/dispatch"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
            .AddJsonProtocol(o => DispatchJson.Configure(o.PayloadSerializerOptions))
            .Build();
        var console = new BenchConsole(connection, log);
        await connection.StartAsync(ct);
        var snapshot = await connection.InvokeAsync<ScopeSnapshot>(nameof(IDispatchHub.Subscribe), Scopes.District, ct);
        var teams = snapshot.Entities.Count(e => e.Kind == DeltaKinds.Team);
        if (teams != log.TeamIds.Count) throw new InvalidOperationException($"district snapshot has {teams} teams, expected {log.TeamIds.Count}");
        console._lastSeq = snapshot.Seq;
        return console;
    }

    /// <summary>SignalR calls a connection's handlers one at a time, so this needs no lock.</summary>
    private void OnDeltas(IReadOnlyList<Delta> batch)
    {
        var now = _log.NowUs();
        foreach (var d in batch)
        {
            if (d.Scope != Scopes.District) continue;
            if (d.Seq <= _lastSeq) continue; // sent between joining and the snapshot: already in it
            if (d.Seq > _lastSeq + 1) Gaps += (int)(d.Seq - _lastSeq - 1);
            _lastSeq = d.Seq;
            if (d.Kind != DeltaKinds.Team || d.Data is not JsonElement data) continue;
            if (!data.TryGetProperty("position", out var position) || !position.TryGetProperty("at", out var at)) continue;
            var n = _log.Lookup(at.GetDateTimeOffset().UtcTicks);
            if (n < 0) continue;
            if (!data.GetProperty("id").ValueEquals(_log.TeamIds[_log.Team(n)]))
            {
                Mismatched++;
                continue;
            }
            if (_receivedUs.Get(n) != 0)
            {
                Duplicates++;
                continue;
            }
            _receivedUs.Set(n, now + 1);
            _log.Delivered();
        }
    }

    /// <summary>When this console received report n, or -1.</summary>
    public int ReceivedUs(int n) => _receivedUs.Get(n) - 1;

    public async ValueTask DisposeAsync() => await Connection.DisposeAsync();
}
