using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace HuaduDispatch.RealtimeBench;

public sealed record TeamInfo(string Id, double HomeLat, double HomeLon, string PositionPath, AuthenticationHeaderValue Auth);

public sealed record DriveResult(string Name, int FirstUpdate, int EndUpdate, int Acked, int Errors, int NotApplied, long NotSent,
    double ElapsedSeconds, int MaxBacklog, string? FirstError)
{
    public double AckedPerSecond => ElapsedSeconds > 0 ? Acked / ElapsedSeconds : 0;
}

/// <summary>
/// Drives team position reports over REST (POST /api/v1/teams/{id}/position, each with that team's own token) from a bounded
/// number of HTTP clients (one pooled connection each). Teams are taken in turn from a queue and a team has at most one
/// report in flight, so its reports reach the grain in `at` order and each one moves the team (a durable write). With 26 teams
/// at most 26 reports are in flight, whatever the number of clients.
/// </summary>
public sealed class Driver : IDisposable
{
    private readonly HttpClient _http;
    private readonly TeamInfo[] _teams;
    private readonly UpdateLog _log;
    private readonly Uri _baseAddress;
    private readonly bool _raw;

    /// <param name="raw">Each client is a protocol client (<see cref="RawHttpConnection"/>: HTTP/1.1 written and read by hand
    /// on its own keep-alive connection) instead of a connection of the shared <see cref="HttpClient"/>.</param>
    public Driver(Uri baseAddress, TeamInfo[] teams, UpdateLog log, int maxConnections, bool raw = false)
    {
        _teams = teams;
        _log = log;
        _baseAddress = baseAddress;
        _raw = raw;
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = maxConnections,
            UseProxy = false,
            UseCookies = false,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        };
        _http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>
    /// Sends reports for the duration: at the given rate (a pacer releases rate x seconds tickets on schedule; clients take them as
    /// they are free), or, with no rate, as fast as the clients go. Stops by itself: at the end of the duration (max rate) or
    /// when all tickets are sent, at the latest 10 s (or <paramref name="grace"/>) after the duration (rated; what is left then
    /// counts as not sent, and reports still in flight as errors).
    /// </summary>
    public async Task<DriveResult> RunAsync(string name, int clients, double? rate, TimeSpan duration, CancellationToken ct, TimeSpan? grace = null)
    {
        var freeTeams = Channel.CreateBounded<int>(_teams.Length);
        for (var t = 0; t < _teams.Length; t++) freeTeams.Writer.TryWrite(t);
        var first = _log.Count;
        var total = rate is { } r ? (long)Math.Round(r * duration.TotalSeconds) : long.MaxValue;
        using var hardStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        hardStop.CancelAfter(duration + (grace ?? TimeSpan.FromSeconds(rate is null ? 5 : 10)));
        var tickets = new SemaphoreSlim(0);
        long taken = 0;
        int acked = 0, errors = 0, notApplied = 0, maxBacklog = 0;
        string? firstError = null;
        var start = Stopwatch.GetTimestamp();
        var startUs = _log.NowUs();
        var lastAckUs = startUs;

        async Task Pacer()
        {
            long released = 0;
            while (released < total && !hardStop.IsCancellationRequested)
            {
                var due = Math.Min(total, (long)(Stopwatch.GetElapsedTime(start).TotalSeconds * rate!.Value));
                if (due > released)
                {
                    tickets.Release((int)(due - released));
                    released = due;
                }
                maxBacklog = Math.Max(maxBacklog, tickets.CurrentCount);
                // Sleep until the next ticket is due (at least 1 ms): no idle wake-ups at low rates.
                var next = TimeSpan.FromSeconds((released + 1) / rate.Value) - Stopwatch.GetElapsedTime(start);
                try { await Task.Delay(next > TimeSpan.FromMilliseconds(1) ? next : TimeSpan.FromMilliseconds(1), hardStop.Token); }
                catch (OperationCanceledException) { break; }
            }
        }

        async Task Client()
        {
            using var connection = _raw ? new RawHttpConnection(_baseAddress) : null;
            while (true)
            {
                int team;
                try
                {
                    if (rate is not null)
                    {
                        if (Interlocked.Increment(ref taken) > total) return;
                        await tickets.WaitAsync(hardStop.Token);
                    }
                    else if (Stopwatch.GetElapsedTime(start) >= duration || hardStop.IsCancellationRequested)
                    {
                        return;
                    }
                    team = await freeTeams.Reader.ReadAsync(hardStop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                try
                {
                    Outcome outcome;
                    try
                    {
                        outcome = connection is null ? await Send(team, hardStop.Token) : await SendRaw(connection, team, hardStop.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        Interlocked.Increment(ref errors);
                        Interlocked.CompareExchange(ref firstError, "still in flight at the hard stop", null);
                        return;
                    }
                    if (outcome.Error is { } e)
                    {
                        Interlocked.Increment(ref errors);
                        Interlocked.CompareExchange(ref firstError, e, null);
                    }
                    else
                    {
                        Interlocked.Increment(ref acked);
                        if (!outcome.Applied) Interlocked.Increment(ref notApplied);
                        InterlockedMax(ref lastAckUs, outcome.AckUs);
                    }
                }
                finally
                {
                    freeTeams.Writer.TryWrite(team);
                }
            }
        }

        var pacer = rate is null ? Task.CompletedTask : Pacer();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(Client, CancellationToken.None)));
        await pacer;
        ct.ThrowIfCancellationRequested();
        var notSent = rate is null ? 0 : total - (_log.Count - first);
        var elapsed = (lastAckUs - startUs) / 1e6;
        return new DriveResult(name, first, _log.Count, acked, errors, notApplied, notSent, elapsed, maxBacklog, firstError);
    }

    private readonly record struct Outcome(int SentUs, int AckUs, bool Applied, string? Error);

    private async Task<Outcome> Send(int team, CancellationToken ct)
    {
        var info = _teams[team];
        var (n, sentUs, at, json) = NextReport(team);
        using var request = new HttpRequestMessage(HttpMethod.Post, info.PositionPath)
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = info.Auth;
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            var ackUs = _log.NowUs(); // the status line and headers of the answer are in
            var body = await response.Content.ReadAsByteArrayAsync(ct);
            return Answered(n, sentUs, ackUs, (int)response.StatusCode, body, at);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return new Outcome(sentUs, _log.NowUs(), false, e.GetType().Name + ": " + e.Message);
        }
    }

    private (int N, int SentUs, DateTimeOffset At, string Json) NextReport(int team)
    {
        var info = _teams[team];
        var n = _log.Next(team);
        var sentUs = _log.SentUs(n);
        var at = _log.At(n);
        // A small movement around the team's home base.
        var lat = info.HomeLat + 0.002 * Math.Sin(n * 0.01);
        var lon = info.HomeLon + 0.002 * Math.Cos(n * 0.01);
        return (n, sentUs, at, string.Create(CultureInfo.InvariantCulture, $"{{\"lat\":{lat:R},\"lon\":{lon:R},\"at\":\"{at:O}\"}}"));
    }

    /// <summary>The same report as <see cref="Send"/>, over the client's own protocol connection.</summary>
    private async Task<Outcome> SendRaw(RawHttpConnection connection, int team, CancellationToken ct)
    {
        var info = _teams[team];
        var (n, sentUs, at, json) = NextReport(team);
        try
        {
            var response = await connection.PostJsonAsync(info.PositionPath, info.Auth.ToString(), json, ct);
            var ackUs = _log.NowUs(); // as for HttpClient: taken when the status line and headers are in (the body is one read with them)
            return Answered(n, sentUs, ackUs, response.Status, response.Body.Span, at);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidDataException && !ct.IsCancellationRequested)
        {
            return new Outcome(sentUs, _log.NowUs(), false, e.GetType().Name + ": " + e.Message);
        }
    }

    /// <summary>Judges an answer, whichever client got it: a 200 is an acknowledgement, applied when it carries the report's time.</summary>
    private Outcome Answered(int n, int sentUs, int ackUs, int status, ReadOnlySpan<byte> body, DateTimeOffset at)
    {
        if (status != 200) return new Outcome(sentUs, ackUs, false, $"{status} {Encoding.UTF8.GetString(body)}");
        _log.Acked(n, ackUs);
        return new Outcome(sentUs, ackUs, PositionAt(body) == at.UtcTicks, null);
    }

    /// <summary>The UtcTicks of the answer's position.at (a team's JSON), or -1.</summary>
    private static long PositionAt(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        var inPosition = false;
        while (reader.Read())
        {
            if (reader.TokenType != JsonTokenType.PropertyName) continue;
            if (reader.CurrentDepth == 1)
            {
                inPosition = reader.ValueTextEquals("position"u8);
                if (!inPosition) reader.Skip();
            }
            else if (inPosition && reader.CurrentDepth == 2 && reader.ValueTextEquals("at"u8))
            {
                reader.Read();
                return reader.GetDateTimeOffset().UtcTicks;
            }
        }
        return -1;
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current) return;
            current = seen;
        }
    }

    public void Dispose() => _http.Dispose();
}
