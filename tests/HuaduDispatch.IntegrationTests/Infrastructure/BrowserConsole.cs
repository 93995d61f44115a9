using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;

namespace HuaduDispatch.IntegrationTests.Infrastructure;

/// <summary>
/// A console page in headless Chromium using the published JavaScript client (<c>@microsoft/signalr</c>), driven through
/// <c>tests/browser-console/console.mjs</c>: that script serves the page on its own loopback origin, opens it in Debian's
/// Chromium with playwright-core, and runs the commands sent here as JSON lines. What the page receives comes back as events.
/// Needs Node.js and Chromium (<c>HUADU_CHROMIUM</c>, else <c>/usr/bin/chromium</c>); installs the script's npm packages from
/// its lock file when they are missing. Anything missing fails the test with what to install.
/// </summary>
public sealed class BrowserConsole : IAsyncDisposable
{
    private static readonly SemaphoreSlim Install = new(1, 1);
    private readonly Process _process;
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonElement>> _replies = new();
    private readonly Channel<JsonElement> _events = Channel.CreateUnbounded<JsonElement>();
    private readonly List<JsonElement> _seen = [];
    private readonly StringWriter _stderr = new();
    private readonly Task _reader;
    private int _nextId;

    /// <summary>The page's origin (what the API's CORS list must name).</summary>
    public string Origin { get; }

    private BrowserConsole(Process process, string origin)
    {
        _process = process;
        Origin = origin;
        _reader = Task.Run(ReadAsync);
    }

    /// <summary>A free loopback port for the page, so that a node can be configured with the page's origin before it opens.</summary>
    public static string OriginFor(int pagePort) => $"http://127.0.0.1:{pagePort}";

    public static async Task<BrowserConsole> OpenAsync(int pagePort)
    {
        var dir = ScriptDirectory();
        await EnsurePackagesAsync(dir);
        var chromium = Environment.GetEnvironmentVariable("HUADU_CHROMIUM") is { Length: > 0 } c ? c : "/usr/bin/chromium";
        if (!File.Exists(chromium))
            throw new InvalidOperationException($"Chromium not found at {chromium}: install Debian's package (apt-get install chromium) or set HUADU_CHROMIUM. .ci/run installs it.");
        var start = new ProcessStartInfo("node", ["console.mjs", pagePort.ToString(), chromium])
        {
            WorkingDirectory = dir, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var console = new BrowserConsole(process, OriginFor(pagePort));
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (console._stderr) console._stderr.WriteLine(e.Data); };
        process.BeginErrorReadLine();
        await console.NextEvent(e => e.GetProperty("event").GetString() == "ready", TimeSpan.FromSeconds(60));
        return console;
    }

    /// <summary>
    /// Opens a HubConnection named <paramref name="name"/> from the page (with <paramref name="reconnect"/>, the client's
    /// automatic reconnect); returns {connectionId, origin}.
    /// </summary>
    public Task<JsonElement> Connect(string name, Uri hubUrl, string? token, string? transport = "WebSockets", bool reconnect = false) =>
        Send(new { op = "connect", name, url = hubUrl.ToString(), token, transport, reconnect });

    /// <summary>The token the connection's <c>accessTokenFactory</c> gives from now on (on its next reconnect).</summary>
    public Task<JsonElement> SetToken(string name, string token) => Send(new { op = "setToken", name, token });

    /// <summary><c>connection.invoke(method, ...args)</c> in the page; a rejected promise throws <see cref="BrowserError"/>.</summary>
    public Task<JsonElement> Invoke(string name, string method, params object?[] args) => Send(new { op = "invoke", name, method, args });

    public Task<JsonElement> Stop(string name) => Send(new { op = "stop", name });

    /// <summary>The next event (a push the page received, a close) that matches; events before it that do not match are kept in <see cref="Seen"/>.</summary>
    public async Task<JsonElement> NextEvent(Func<JsonElement, bool> match, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        try
        {
            while (true)
            {
                var e = await _events.Reader.ReadAsync(cts.Token);
                lock (_seen) _seen.Add(e);
                if (match(e)) return e;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            throw new TimeoutException($"the browser console sent no matching event; seen: {string.Join("\n", Seen.Select(s => s.GetRawText()))}\nstderr: {Stderr}");
        }
    }

    /// <summary>Every event read so far, in arrival order.</summary>
    public IReadOnlyList<JsonElement> Seen { get { lock (_seen) return [.. _seen]; } }

    private string Stderr { get { lock (_stderr) return _stderr.ToString(); } }

    private async Task<JsonElement> Send(object command)
    {
        var id = Interlocked.Increment(ref _nextId);
        var reply = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _replies[id] = reply;
        var json = JsonSerializer.SerializeToElement(command);
        var line = JsonSerializer.Serialize(new Dictionary<string, JsonElement>(json.EnumerateObject().Select(p => KeyValuePair.Create(p.Name, p.Value)))
        {
            ["id"] = JsonSerializer.SerializeToElement(id),
        });
        lock (_process) { _process.StandardInput.WriteLine(line); _process.StandardInput.Flush(); }
        var answer = await reply.Task.WaitAsync(TimeSpan.FromSeconds(60));
        if (!answer.GetProperty("ok").GetBoolean()) throw new BrowserError(answer.GetProperty("error").GetString() ?? "");
        return answer.GetProperty("result");
    }

    private async Task ReadAsync()
    {
        try
        {
            while (await _process.StandardOutput.ReadLineAsync() is { } line)
            {
                if (string.IsNullOrWhiteSpace(line)) continue;
                JsonElement message;
                try { message = JsonDocument.Parse(line).RootElement.Clone(); }
                catch (JsonException) { lock (_stderr) _stderr.WriteLine("stdout: " + line); continue; }
                if (message.TryGetProperty("reply", out var id) && _replies.TryRemove(id.GetInt32(), out var reply)) reply.TrySetResult(message);
                else _events.Writer.TryWrite(message);
            }
        }
        finally
        {
            _events.Writer.TryComplete();
            foreach (var reply in _replies.Values) reply.TrySetException(new InvalidOperationException($"the browser console exited: {Stderr}"));
        }
    }

    private static string ScriptDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "browser-console");
            if (File.Exists(Path.Combine(candidate, "console.mjs"))) return candidate;
        }
        throw new InvalidOperationException("tests/browser-console not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Installs the script's packages (<c>npm ci</c>, from the committed lock file) when they are not there.</summary>
    private static async Task EnsurePackagesAsync(string dir)
    {
        await Install.WaitAsync();
        try
        {
            if (File.Exists(Path.Combine(dir, "node_modules", "@microsoft", "signalr", "dist", "browser", "signalr.min.js"))
                && File.Exists(Path.Combine(dir, "node_modules", "playwright-core", "package.json"))) return;
            var npm = new ProcessStartInfo("npm", ["ci", "--no-audit", "--no-fund"])
            {
                WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            using var process = Process.Start(npm) ?? throw new InvalidOperationException("npm did not start: install Node.js 20 and npm");
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"npm ci in {dir} failed ({process.ExitCode}): {await output}\n{await errors}");
        }
        finally
        {
            Install.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            lock (_process) _process.StandardInput.Close(); // the script closes the browser and exits
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        }
        catch (Exception)
        {
            try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        }
        await _reader.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { });
        _process.Dispose();
    }
}

/// <summary>A promise the page's client rejected (the message is the JavaScript error's).</summary>
public sealed class BrowserError(string message) : Exception(message);
