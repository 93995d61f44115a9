using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace HuaduDispatch.IntegrationTests.Infrastructure;

/// <summary>One webhook request as the receiver saw it; Answered is 0 when the sender hung up before the answer.</summary>
public sealed record ReceivedWebhook(string Path, string? EventId, string? EventType, string? Timestamp, string? Signature, string? ContentType,
    string Body, int Answered, int EarlierForSameEvent, string? UserAgent = null, string? PreviousSignature = null);

/// <summary>
/// A real HTTP receiver for webhook tests: a small Kestrel app on a loopback port that records every request and answers as
/// <see cref="Answer"/> says (a status, after an optional delay). It can be stopped and started again on the same port.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private WebApplication? _app;
    public int Port { get; }
    public ConcurrentQueue<ReceivedWebhook> Requests { get; } = new();
    private readonly ConcurrentDictionary<string, int> _perEvent = new();

    /// <summary>(status, delay) for a request, given its event id and how many requests for that event came before it.</summary>
    public Func<string?, int, (int Status, TimeSpan Delay)> Answer { get; set; } = (_, _) => (200, TimeSpan.Zero);

    private WebhookReceiver(int port) => Port = port;

    public string Url(string name) => $"http://127.0.0.1:{Port}/hook/{name}";

    /// <summary>A receiver on a free port; not listening until <see cref="StartAsync()"/>.</summary>
    public static WebhookReceiver Create() => new(DispatchNode.FreePort());

    public static async Task<WebhookReceiver> StartNewAsync()
    {
        var receiver = Create();
        await receiver.StartAsync();
        return receiver;
    }

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{Port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/hook/{name}", async (HttpContext http, string name) =>
        {
            using var reader = new StreamReader(http.Request.Body);
            var body = await reader.ReadToEndAsync();
            string? Header(string h) => http.Request.Headers.TryGetValue(h, out var v) ? v.ToString() : null;
            var eventId = Header("X-Huadu-Event-Id");
            var earlier = eventId is null ? 0 : _perEvent.AddOrUpdate(eventId, 1, (_, n) => n + 1) - 1;
            var (status, delay) = Answer(eventId, earlier);
            void Record(int answered) => Requests.Enqueue(new ReceivedWebhook($"/hook/{name}", eventId, Header("X-Huadu-Event-Type"),
                Header("X-Huadu-Timestamp"), Header("X-Huadu-Signature"), http.Request.ContentType, body, answered, earlier, Header("User-Agent"), Header("X-Huadu-Signature-Previous")));
            if (delay > TimeSpan.Zero)
            {
                try { await Task.Delay(delay, http.RequestAborted); }
                catch (OperationCanceledException)
                {
                    Record(0); // the sender gave up first
                    return;
                }
            }
            Record(status);
            http.Response.StatusCode = status;
        });
        await app.StartAsync();
        _app = app;
    }

    public async Task StopAsync()
    {
        if (_app is null) return;
        await _app.StopAsync();
        await _app.DisposeAsync();
        _app = null;
    }

    /// <summary>The requests answered 2xx, by path.</summary>
    public List<ReceivedWebhook> Delivered(string name) => [.. Requests.Where(r => r.Path == $"/hook/{name}" && r.Answered is >= 200 and < 300)];

    public async ValueTask DisposeAsync() => await StopAsync();
}
