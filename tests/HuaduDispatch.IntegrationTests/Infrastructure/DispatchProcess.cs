using System.Diagnostics;
using System.Text;

namespace HuaduDispatch.IntegrationTests.Infrastructure;

/// <summary>
/// One real node in a process of its own: the node's executable (HuaduDispatch.Silo.dll, built beside the tests) run by
/// `dotnet`, configured through environment variables as an operator would. Unlike <see cref="DispatchNode"/> it can be killed:
/// SIGKILL, so it says nothing to the cluster, writes nothing to the membership table and leaves its grains where they were,
/// as a crashed process or a machine without power does.
/// </summary>
public sealed class DispatchProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    public Uri BaseAddress { get; }
    public int SiloPort { get; }
    public HttpClient Http { get; }

    private DispatchProcess(Process process, Uri baseAddress, int siloPort)
    {
        _process = process;
        BaseAddress = baseAddress;
        SiloPort = siloPort;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>
    /// Starts the node in PostgreSQL mode and waits until /health/ready answers 200. A port found free can be taken by another
    /// process before the node binds it (the node then exits saying "address already in use"): then it tries again with fresh
    /// ports, as <see cref="DispatchNode.StartAsync"/> does. Before the twenty-second session one such exit failed a CI run.
    /// </summary>
    /// <param name="workingDirectory">Where the process is started from (the executable's own directory by default).</param>
    public static async Task<DispatchProcess> StartAsync(string connectionString, IDictionary<string, string?>? extra = null, string? workingDirectory = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryStartAsync(connectionString, extra, workingDirectory);
            }
            catch (InvalidOperationException e) when (attempt < 3 && e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
            }
        }
    }

    private static async Task<DispatchProcess> TryStartAsync(string connectionString, IDictionary<string, string?>? extra, string? workingDirectory)
    {
        var (httpPort, siloPort) = (DispatchNode.FreePort(), DispatchNode.FreePort());
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory ?? AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "HuaduDispatch.Silo.dll"));
        foreach (var (key, value) in DispatchNode.Settings(connectionString, extra, httpPort, siloPort, gatewayPort: null))
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var node = new DispatchProcess(process, new Uri($"http://127.0.0.1:{httpPort}"), siloPort);
        process.OutputDataReceived += (_, e) => node.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => node.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            // Once it has exited, WaitForExit() also waits for the last of its output, which says why.
            await DispatchNode.WaitUntilReadyAsync(node.Http, () =>
            {
                if (!process.HasExited) return null;
                process.WaitForExit();
                return $"exit code {process.ExitCode}; output:\n{node.Output}";
            });
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
        return node;
    }

    /// <summary>What the process wrote (its last 64 KB), for a failing test's message.</summary>
    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        lock (_output)
        {
            _output.AppendLine(line);
            if (_output.Length > 65536) _output.Remove(0, _output.Length - 65536);
        }
    }

    /// <summary>An HTTP client for this node carrying a token of the role.</summary>
    public HttpClient ClientAs(string role, string? teamId = null)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", DispatchNode.Token(role, teamId));
        return client;
    }

    /// <summary>Kills the process (SIGKILL) and waits until it is gone.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await KillAsync();
        _process.Dispose();
    }
}
