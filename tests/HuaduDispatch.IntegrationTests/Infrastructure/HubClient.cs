using System.Collections.Concurrent;
using System.Text.Json;
using HuaduDispatch.Contracts;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace HuaduDispatch.IntegrationTests.Infrastructure;

/// <summary>A real .NET SignalR client on a node's hub, recording every Delta it receives in arrival order.</summary>
public sealed class HubClient : IAsyncDisposable
{
    private readonly ConcurrentQueue<Delta> _received = new();
    private readonly SemaphoreSlim _signal = new(0);
    public HubConnection Connection { get; }

    private HubClient(HubConnection connection)
    {
        Connection = connection;
        Connection.On<IReadOnlyList<Delta>>("Delta", batch =>
        {
            Interlocked.Increment(ref _batches);
            foreach (var d in batch) _received.Enqueue(d);
            _signal.Release();
        });
    }

    public static Task<HubClient> ConnectAsync(DispatchNode node, string hub, string? token) => ConnectAsync(node.BaseAddress, hub, token);

    public static async Task<HubClient> ConnectAsync(Uri node, string hub, string? token)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(node, hub), o =>
            {
                if (token is not null) o.AccessTokenProvider = () => Task.FromResult<string?>(token);
            })
            .AddJsonProtocol(o => DispatchJson.Configure(o.PayloadSerializerOptions))
            .Build();
        var client = new HubClient(connection);
        await connection.StartAsync();
        return client;
    }

    private int _batches;

    /// <summary>How many Delta messages arrived (each may carry several deltas).</summary>
    public int Batches => Volatile.Read(ref _batches);

    public IReadOnlyList<Delta> Received => [.. _received];

    public IReadOnlyList<Delta> For(string scope) => [.. _received.Where(d => d.Scope == scope)];

    /// <summary>Waits until a received delta matches, or fails after the timeout with what did arrive.</summary>
    public async Task<Delta> WaitFor(Func<Delta, bool> match, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var hit = _received.FirstOrDefault(match);
            if (hit is not null) return hit;
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
                throw new TimeoutException("no matching delta; received: " + string.Join(", ", _received.Select(d => $"{d.Scope}#{d.Seq} {d.Kind} {d.Id}")));
            await _signal.WaitAsync(left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200));
        }
    }

    public static JsonElement Data(Delta d) => (JsonElement)d.Data!;

    public static T Data<T>(Delta d) => ((JsonElement)d.Data!).Deserialize<T>(DispatchJson.Options)!;

    /// <summary>A snapshot entity's state, as <see cref="Data{T}(Delta)"/> reads a delta's.</summary>
    public static T Data<T>(EntityChange e) => ((JsonElement)e.Data!).Deserialize<T>(DispatchJson.Options)!;

    public async ValueTask DisposeAsync() => await Connection.DisposeAsync();
}
