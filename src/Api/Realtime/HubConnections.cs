using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.SignalR;

namespace HuaduDispatch.Api.Realtime;

/// <summary>
/// The hub connections each client has open on this node (the client as the rate limiter counts it: role plus agency, team or
/// subject), at most <see cref="HttpOptions.MaxHubConnectionsPerClient"/>. A new connection beyond it is refused: with a 429 at
/// its negotiation or opening request (<see cref="UseHubConnectionLimit"/>), and closed at once should two open together past
/// the check. Until the thirty-third session a client could open connections without end (the rate limit spaces them, it
/// does not bound them): a partner's reconnect loop or a leaked token could hold thousands, each with its groups and buffers.
/// </summary>
public sealed class HubConnections(HttpOptions options)
{
    private const string ItemKey = "huadu.hub-client";
    private readonly ConcurrentDictionary<string, int> _open = new(StringComparer.Ordinal);

    public int Max => options.MaxHubConnectionsPerClient;

    /// <summary>How many hub connections <paramref name="client"/> has open on this node.</summary>
    public int Open(string client) => _open.TryGetValue(client, out var n) ? n : 0;

    /// <summary>Counts a connection opening for <paramref name="client"/>; false (nothing counted) when it has the most allowed.</summary>
    public bool TryOpen(string client)
    {
        while (true)
        {
            if (!_open.TryGetValue(client, out var n))
            {
                if (_open.TryAdd(client, 1)) return true;
                continue;
            }
            if (n >= Max) return false;
            if (_open.TryUpdate(client, n + 1, n)) return true;
        }
    }

    /// <summary>Counts a connection of <paramref name="client"/> closed.</summary>
    public void Closed(string client)
    {
        while (_open.TryGetValue(client, out var n))
        {
            if (n <= 1 ? _open.TryRemove(new KeyValuePair<string, int>(client, n)) : _open.TryUpdate(client, n - 1, n)) return;
        }
    }

    /// <summary>In a hub's OnConnectedAsync: counts the connection, or closes it (false) when its client has the most allowed.</summary>
    public bool Opened(HubCallerContext context)
    {
        var client = HttpHardening.ClientKey(context.User, context.GetHttpContext()?.Connection.RemoteIpAddress);
        if (!TryOpen(client))
        {
            context.Abort();
            return false;
        }
        context.Items[ItemKey] = client;
        return true;
    }

    /// <summary>In a hub's OnDisconnectedAsync: a connection counted by <see cref="Opened"/> is no longer.</summary>
    public void Closed(HubCallerContext context)
    {
        if (context.Items.TryGetValue(ItemKey, out var client) && client is string key) Closed(key);
    }

    /// <summary>
    /// Refuses a new hub connection with a 429 (problem details, Retry-After) when its client has the most allowed open on this
    /// node: the negotiation (<c>/hubs/.../negotiate</c>) and an opening request without a connection id (a WebSocket that
    /// skips negotiation). The requests of connections already open (long polling's polls and sends carry their id) pass.
    /// </summary>
    public static IApplicationBuilder UseHubConnectionLimit(IApplicationBuilder app, HubConnections connections) => app.Use((context, next) =>
    {
        var path = context.Request.Path;
        if (!path.StartsWithSegments("/hubs", StringComparison.OrdinalIgnoreCase)) return next(context);
        var opening = path.Value!.EndsWith("/negotiate", StringComparison.OrdinalIgnoreCase) || !context.Request.Query.ContainsKey("id");
        if (!opening) return next(context);
        var client = HttpHardening.ClientKey(context);
        if (connections.Open(client) < connections.Max) return next(context);
        context.Response.Headers.RetryAfter = "30";
        return Problems.Write(context, StatusCodes.Status429TooManyRequests, "Too many connections",
            $"this client has {connections.Open(client).ToString(CultureInfo.InvariantCulture)} hub connections open on this node, the most allowed " +
            $"(Http:MaxHubConnectionsPerClient, {connections.Max.ToString(CultureInfo.InvariantCulture)}); close one it no longer uses, or retry later.");
    });
}
