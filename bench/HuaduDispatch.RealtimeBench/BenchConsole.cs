using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using HuaduDispatch.Contracts;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace HuaduDispatch.RealtimeBench;

/// <summary>
/// One dispatch console on /hubs/dispatch, subscribed to "district": a real .NET SignalR client, or (the protocol console) a
/// plain WebSocket that speaks the SignalR JSON protocol itself. For every team delta it
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

    private readonly HubConnection? _connection;
    private readonly ClientWebSocket? _socket;
    private readonly CancellationTokenSource _stop = new();
    private Task _receiving = Task.CompletedTask, _pinging = Task.CompletedTask;
    public int Gaps { get; private set; }
    public int Duplicates { get; private set; }
    public int Mismatched { get; private set; }
    public int Closed;
    /// <summary>Delta messages (batches) received, and the district deltas in them.</summary>
    public long Messages, DistrictDeltas;

    private BenchConsole(ClientWebSocket socket, UpdateLog log)
    {
        _socket = socket;
        _log = log;
    }

    private BenchConsole(HubConnection connection, UpdateLog log, bool lean)
    {
        _connection = connection;
        _log = log;
        if (lean) connection.On<IReadOnlyList<LeanDelta>>("Delta", batch => Handle(() => OnLeanDeltas(batch)));
        else connection.On<IReadOnlyList<Delta>>("Delta", batch => Handle(() => OnDeltas(batch)));
        connection.Closed += _ =>
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
        lock (console._early)
        {
            console._lastSeq = snapshot.Seq;
            foreach (var handle in console._early) handle();
            console._early.Clear();
            console._subscribed = true;
        }
        return console;
    }

    /// <summary>Batches that arrive before Subscribe answers (the connection joins the group first) wait for the snapshot's seq.</summary>
    private readonly List<Action> _early = [];
    private bool _subscribed;

    private void Handle(Action apply)
    {
        lock (_early)
        {
            if (_subscribed) apply();
            else _early.Add(apply);
        }
    }

    /// <summary>
    /// The protocol console: a WebSocket straight to the hub (no negotiate, as the .NET client's SkipNegotiation), the JSON
    /// protocol's handshake, a Subscribe invocation, then every record (each ends with 0x1E) scanned for the envelope, the
    /// entity's id and position.at (<see cref="Scan"/>; every 16th record also read with a Utf8JsonReader to check the scan, or
    /// every record with the reader when <see cref="ScanRecords"/> is off). It measures the same bytes arriving as the SignalR
    /// client, at a fraction of the client's CPU (no pipe segments, no binding, no tokenising of what it does not need), which
    /// matters here because the 200 consoles share the node's 2 cores. It sends a ping every 10 s, as a client must.
    /// </summary>
    public static async Task<BenchConsole> ConnectRawAsync(Uri baseAddress, string token, UpdateLog log, CancellationToken ct)
    {
        var socket = new ClientWebSocket();
        var builder = new UriBuilder(new Uri(baseAddress, "/hubs/dispatch")) { Scheme = baseAddress.Scheme == "https" ? "wss" : "ws", Query = "access_token=" + Uri.EscapeDataString(token) };
        await socket.ConnectAsync(builder.Uri, ct);
        var console = new BenchConsole(socket, log);
        await console.SendRecord("""{"protocol":"json","version":1}""", ct);
        var handshake = await console.ReceiveRecordAsync(ct);
        if (handshake.Contains("error", StringComparison.Ordinal)) throw new InvalidOperationException("handshake refused: " + handshake);
        await console.SendRecord($$"""{"type":1,"invocationId":"1","target":"{{nameof(IDispatchHub.Subscribe)}}","arguments":["{{Scopes.District}}"]}""", ct);
        // Deltas can arrive before the answer (the connection joins the group first): they are kept, and applied after the
        // snapshot like any other (those numbered up to the snapshot's seq are skipped), as a client must.
        string completion;
        var early = new List<byte[]>();
        while (true)
        {
            completion = await console.ReceiveRecordAsync(ct);
            if (completion.StartsWith("""{"type":3""", StringComparison.Ordinal)) break;
            if (completion.StartsWith("""{"type":1,""", StringComparison.Ordinal)) early.Add(Encoding.UTF8.GetBytes(completion));
        }
        using (var doc = JsonDocument.Parse(completion))
        {
            if (!doc.RootElement.TryGetProperty("result", out var result)) throw new InvalidOperationException("Subscribe failed: " + completion);
            var snapshot = result.Deserialize<ScopeSnapshot>(DispatchJson.Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web)))!;
            var teams = snapshot.Entities.Count(e => e.Kind == DeltaKinds.Team);
            if (teams != log.TeamIds.Count) throw new InvalidOperationException($"district snapshot has {teams} teams, expected {log.TeamIds.Count}");
            console._lastSeq = snapshot.Seq;
        }
        foreach (var record in early) console.OnRecord(record, log.NowUs());
        console._receiving = Task.Run(console.ReceiveLoop);
        console._pinging = Task.Run(console.PingLoop);
        return console;
    }

    private byte[] _buffer = new byte[64 * 1024];
    private int _filled;

    private Task SendRecord(string json, CancellationToken ct) =>
        _socket!.SendAsync(Encoding.UTF8.GetBytes(json + "\u001e"), WebSocketMessageType.Text, true, ct);

    /// <summary>Reads until one whole record is buffered (handshake and subscribe only) and returns it.</summary>
    private async Task<string> ReceiveRecordAsync(CancellationToken ct)
    {
        while (true)
        {
            var end = Array.IndexOf(_buffer, (byte)0x1e, 0, _filled);
            if (end >= 0)
            {
                var record = Encoding.UTF8.GetString(_buffer, 0, end);
                Buffer.BlockCopy(_buffer, end + 1, _buffer, 0, _filled - end - 1);
                _filled -= end + 1;
                return record;
            }
            if (_filled == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
            var r = await _socket!.ReceiveAsync(_buffer.AsMemory(_filled), ct);
            if (r.MessageType == WebSocketMessageType.Close) throw new InvalidOperationException("the hub closed the connection during the handshake");
            _filled += r.Count;
        }
    }

    private async Task ReceiveLoop()
    {
        try
        {
            while (true)
            {
                if (_filled == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
                var r = await _socket!.ReceiveAsync(_buffer.AsMemory(_filled), _stop.Token);
                if (r.MessageType == WebSocketMessageType.Close) break;
                var now = _log.NowUs();
                var scanFrom = _filled;
                _filled += r.Count;
                var start = 0;
                int end;
                while ((end = Array.IndexOf(_buffer, (byte)0x1e, scanFrom, _filled - scanFrom)) >= 0)
                {
                    OnRecord(_buffer.AsSpan(start, end - start), now);
                    start = scanFrom = end + 1;
                }
                if (start > 0)
                {
                    Buffer.BlockCopy(_buffer, start, _buffer, 0, _filled - start);
                    _filled -= start;
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested) { return; }
        catch (WebSocketException) { }
        Interlocked.Increment(ref Closed);
    }

    private async Task PingLoop()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(10));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token)) await SendRecord("""{"type":6}""", _stop.Token);
        }
        catch (OperationCanceledException) { }
        catch (WebSocketException) { }
    }

    private static readonly byte[] TypeName = "type"u8.ToArray(), TargetName = "target"u8.ToArray(), ArgumentsName = "arguments"u8.ToArray(),
        DeltaTarget = "Delta"u8.ToArray(), ScopeName = "scope"u8.ToArray(), SeqName = "seq"u8.ToArray(), KindName = "kind"u8.ToArray(),
        DataName = "data"u8.ToArray(), IdName = "id"u8.ToArray(), PositionName = "position"u8.ToArray(), AtName = "at"u8.ToArray();

    /// <summary>What a console takes from one delta: enough to check the sequence and to name the report it shows.</summary>
    private readonly record struct DeltaFields(bool District, long Seq, bool Team, long AtUtcTicks, long IdStart);

    private readonly List<DeltaFields> _fields = [], _checkFields = [];
    private long _records;

    /// <summary>
    /// Every <see cref="CrossCheckEvery"/>th record of each console is read both ways (scan and Utf8JsonReader) and the two
    /// must agree field for field; a disagreement is counted in <see cref="ScanDisagreements"/> and the reader's reading is used.
    /// </summary>
    private const int CrossCheckEvery = 16;

    /// <summary>Records the scan could not follow (it then used the reader), and scan/reader disagreements on cross-checked records.</summary>
    public int ScanFallbacks, ScanDisagreements;

    /// <summary>
    /// How the protocol console reads a record: by default it scans for the fields it needs (<see cref="Scan"/>), checked against
    /// the Utf8JsonReader on every <see cref="CrossCheckEvery"/>th record; with <c>scan=0</c> it reads every record with the reader.
    /// </summary>
    public static bool ScanRecords { get; set; } = true;

    /// <summary>One hub protocol record: only invocations of "Delta" matter (pings and the rest are passed over).</summary>
    private void OnRecord(ReadOnlySpan<byte> record, int now)
    {
        var fields = _fields;
        fields.Clear();
        bool isDelta;
        if (!ScanRecords) isDelta = Read(record, fields);
        else if (!Scan(record, fields, out isDelta))
        {
            ScanFallbacks++;
            fields.Clear();
            isDelta = Read(record, fields);
        }
        else if (++_records % CrossCheckEvery == 0)
        {
            _checkFields.Clear();
            var readerSaysDelta = Read(record, _checkFields);
            if (readerSaysDelta != isDelta || !fields.SequenceEqual(_checkFields))
            {
                ScanDisagreements++;
                fields.Clear();
                fields.AddRange(_checkFields);
                isDelta = readerSaysDelta;
            }
        }
        if (!isDelta) return;
        Messages++;
        foreach (var f in fields)
        {
            if (!InSequence(f.District ? Scopes.District : null, f.Seq)) continue;
            if (f.Team && f.AtUtcTicks != 0) ReceivedRaw(now, f.AtUtcTicks, record, f.IdStart);
        }
    }

    /// <summary>Reads a record token by token with a Utf8JsonReader (property order does not matter); true for a Delta invocation.</summary>
    private static bool Read(ReadOnlySpan<byte> record, List<DeltaFields> into)
    {
        var reader = new Utf8JsonReader(record);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;
        var type = 0;
        var isDelta = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(TypeName)) { reader.Read(); type = reader.GetInt32(); }
            else if (reader.ValueTextEquals(TargetName)) { reader.Read(); isDelta = reader.ValueTextEquals(DeltaTarget); }
            else if (reader.ValueTextEquals(ArgumentsName) && type == 1 && isDelta)
            {
                reader.Read(); // [ (the arguments)
                reader.Read(); // [ (the one argument: the batch)
                while (reader.Read() && reader.TokenType == JsonTokenType.StartObject) into.Add(ReadDelta(ref reader));
                return true;
            }
            else { reader.Read(); reader.Skip(); }
        }
        return false;
    }

    private static DeltaFields ReadDelta(ref Utf8JsonReader reader)
    {
        bool district = false, team = false;
        long seq = 0, at = 0;
        var idStart = -1L; // where data.id's token starts: compared with the report's team after the fact, without a string
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(ScopeName)) { reader.Read(); district = reader.ValueTextEquals(Scopes.District); }
            else if (reader.ValueTextEquals(SeqName)) { reader.Read(); seq = reader.GetInt64(); }
            else if (reader.ValueTextEquals(KindName)) { reader.Read(); team = reader.ValueTextEquals(DeltaKinds.Team); }
            else if (reader.ValueTextEquals(DataName) && team)
            {
                reader.Read();
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals(IdName)) { reader.Read(); idStart = reader.TokenStartIndex; }
                    else if (reader.ValueTextEquals(PositionName))
                    {
                        reader.Read();
                        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                        {
                            if (reader.ValueTextEquals(AtName)) { reader.Read(); at = reader.GetDateTimeOffset().UtcTicks; }
                            else { reader.Read(); reader.Skip(); }
                        }
                    }
                    else { reader.Read(); reader.Skip(); }
                }
            }
            else { reader.Read(); reader.Skip(); }
        }
        return new DeltaFields(district, seq, team, at, idStart);
    }

    private static readonly byte[] InvocationStart = "{\"type\":1,"u8.ToArray(), DeltaArguments = "\"target\":\"Delta\",\"arguments\":[["u8.ToArray(),
        DeltaStart = "{\"scope\":\""u8.ToArray(), SeqAfterScope = "\",\"seq\":"u8.ToArray(), KindAfterSeq = ",\"kind\":\""u8.ToArray(),
        DataOfTeam = ",\"data\":{\"id\":"u8.ToArray(), PositionKey = "\"position\":{"u8.ToArray(), AtKey = "\"at\":"u8.ToArray(),
        NextDelta = "},{\"scope\":\""u8.ToArray(), TeamKind = "team\""u8.ToArray(), District = "district"u8.ToArray();

    /// <summary>
    /// Finds the fields by searching for them in the order the node writes them (the envelope's scope, seq, kind, id, data; a
    /// team's id first and position.at later), without tokenising the rest of each entity: a delta is about 500 bytes of which
    /// the console needs five values. False when the record is not laid out that way (the caller then reads it with the reader).
    /// Values are parsed with a Utf8JsonReader over the one token, so they mean exactly what the reader would make of them.
    /// </summary>
    private static bool Scan(ReadOnlySpan<byte> record, List<DeltaFields> into, out bool isDelta)
    {
        isDelta = false;
        if (!record.StartsWith(InvocationStart)) return record.IndexOf(DeltaArguments) < 0; // a ping or completion: nothing to take
        var args = record.IndexOf(DeltaArguments);
        if (args < 0) return record.IndexOf("\"Delta\""u8) < 0;
        isDelta = true;
        var pos = args + DeltaArguments.Length;
        while (true)
        {
            // {"scope":"district","seq":123,"kind":"team","id":"D01","data":{"id":"D01",...,"position":{...,"at":"..."},...}}
            if (!record[pos..].StartsWith(DeltaStart)) return false;
            pos += DeltaStart.Length;
            var scopeEnd = record[pos..].IndexOf((byte)'"');
            if (scopeEnd < 0) return false;
            var district = record.Slice(pos, scopeEnd).SequenceEqual(District);
            pos += scopeEnd;
            if (!record[pos..].StartsWith(SeqAfterScope)) return false;
            pos += SeqAfterScope.Length;
            if (!System.Buffers.Text.Utf8Parser.TryParse(record[pos..], out long seq, out var digits)) return false;
            pos += digits;
            if (!record[pos..].StartsWith(KindAfterSeq)) return false;
            pos += KindAfterSeq.Length;
            var team = record[pos..].StartsWith(TeamKind);
            var next = record[pos..].IndexOf(NextDelta);
            var end = next >= 0 ? pos + next : record.LastIndexOf("}]]"u8);
            if (end < pos) return false;
            long at = 0, idStart = -1;
            if (team)
            {
                var body = record[pos..end];
                var data = body.IndexOf(DataOfTeam);
                if (data < 0) return false;
                idStart = pos + data + DataOfTeam.Length;
                var position = body.IndexOf(PositionKey);
                if (position < 0) return false;
                var atKey = body[position..].IndexOf(AtKey);
                if (atKey < 0) return false;
                var reader = new Utf8JsonReader(body[(position + atKey + AtKey.Length)..]);
                if (!reader.Read() || reader.TokenType != JsonTokenType.String || !reader.TryGetDateTimeOffset(out var when)) return false;
                at = when.UtcTicks;
            }
            into.Add(new DeltaFields(district, seq, team, at, idStart));
            if (next < 0) return true;
            pos = end + 2; // past "},"
        }
    }

    /// <summary>As <see cref="Received"/>, with the team id still in the record (re-read at <paramref name="idStart"/>).</summary>
    private void ReceivedRaw(int now, long atUtcTicks, ReadOnlySpan<byte> record, long idStart)
    {
        var n = _log.Lookup(atUtcTicks);
        if (n < 0) return;
        var expected = _log.TeamIds[_log.Team(n)];
        if (idStart < 0 || !IdAt(record, idStart, expected))
        {
            Mismatched++;
            return;
        }
        Record(n, now);
    }

    private static bool IdAt(ReadOnlySpan<byte> record, long start, string expected)
    {
        var reader = new Utf8JsonReader(record[(int)start..]);
        return reader.Read() && reader.TokenType == JsonTokenType.String && reader.ValueTextEquals(expected);
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
        Record(n, now);
    }

    private void Record(int n, int now)
    {
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

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
            return;
        }
        _stop.Cancel();
        try { await _socket!.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bench done", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5)); }
        catch (Exception e) when (e is WebSocketException or TimeoutException or ObjectDisposedException) { }
        await Task.WhenAll(_receiving, _pinging);
        _socket!.Dispose();
    }
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
