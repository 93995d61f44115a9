using System.Collections.Concurrent;
using HuaduDispatch.Contracts;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HuaduDispatch.Api.Security;

/// <summary>
/// Whether an agency token counts: only for an agency the registry holds and has not retired. Until the thirty-first session
/// the registry granted nothing: a token for an agency never registered reported incidents, and a partner whose arrangement
/// ended (or whose token leaked) could only be cut off by rotating the signing key on every node, which logs out every console
/// and radio. Each node keeps an agency's standing for <see cref="RefreshAfter"/>, so a retirement through another node takes
/// effect within that time (through this node at once: <see cref="Forget"/>). The agency's open console connections are
/// closed by <see cref="Sweep"/>, which <see cref="AgencyStandingSweep"/> runs every <see cref="RefreshAfter"/>.
/// </summary>
public sealed class AgencyStanding(IGrainFactory grains, TimeProvider clock, ILogger<AgencyStanding> logger)
{
    public static readonly TimeSpan RefreshAfter = TimeSpan.FromSeconds(5);
    /// <summary>
    /// A refusal is kept only this long: an agency registered (or reinstated) through another node counts on this one within
    /// a second (the verifier saw a "not registered" answer for up to 5 s after a registration, thirty-first session).
    /// </summary>
    public static readonly TimeSpan RefusalRefreshAfter = TimeSpan.FromSeconds(1);

    private sealed record Entry(string? Refusal, DateTimeOffset At);

    private readonly ConcurrentDictionary<string, Entry> _known = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string AgencyId, HubCallerContext Context)> _connections = new(StringComparer.Ordinal);

    /// <summary>Null when the agency's tokens count; otherwise why not, in words for the 401's detail.</summary>
    public async ValueTask<string?> Refusal(string? agencyId)
    {
        if (AgencyIdProblem(agencyId) is { } problem) return problem;
        var now = clock.GetUtcNow();
        if (_known.TryGetValue(agencyId!, out var entry) && now - entry.At < (entry.Refusal is null ? RefreshAfter : RefusalRefreshAfter)) return entry.Refusal;
        try
        {
            return await Look(agencyId!, now);
        }
        catch (Exception e) when (entry is not null)
        {
            // The registry cannot be read now (a database outage): the standing last read holds until it can.
            logger.LogWarning("The standing of agency {AgencyId} could not be read ({Error}); the one read at {At:u} holds", agencyId, e.Message, entry.At);
            return entry.Refusal;
        }
    }

    private static string? AgencyIdProblem(string? agencyId) =>
        string.IsNullOrEmpty(agencyId)
            ? "The token names no agency (no agencyId claim): an agency token counts only for a registered agency."
            : IncidentSources.AgencyIdProblem(agencyId) is { } problem
                ? $"The token's agency '{HttpHardening.Quote(agencyId)}' {problem}, so no registered agency has it."
                : null;

    private async Task<string?> Look(string agencyId, DateTimeOffset now)
    {
        var agency = await grains.GetGrain<IAgencyGrain>(agencyId).Get();
        var refusal = agency is null
            ? $"Agency '{agencyId}' is not registered: its tokens count once an admin registers it (POST /api/v1/agencies)."
            : !agency.Active
                ? $"Agency '{agencyId}' is retired (since {agency.RetiredAt ?? agency.UpdatedAt:yyyy-MM-dd HH:mm:ss}Z): its tokens no longer count; an admin reinstates it with PUT /api/v1/agencies/{agencyId} and \"active\": true."
                : null;
        _known[agencyId] = new Entry(refusal, now);
        return refusal;
    }

    /// <summary>Reads the agency's standing again at its next request (called when it changes through this node).</summary>
    public void Forget(string agencyId) => _known.TryRemove(agencyId, out _);

    /// <summary>A console connection opened with an agency token: closed by the sweep once the agency no longer counts.</summary>
    public void Connected(string agencyId, HubCallerContext context) => _connections[context.ConnectionId] = (agencyId, context);

    public void Disconnected(string connectionId) => _connections.TryRemove(connectionId, out _);

    /// <summary>Open console connections of agencies (for tests and diagnostics).</summary>
    public int Connections => _connections.Count;

    /// <summary>Reads the standing of every agency with an open console connection and closes those of agencies that no longer count.</summary>
    public async Task Sweep()
    {
        foreach (var agencyId in _connections.Values.Select(c => c.AgencyId).Distinct(StringComparer.Ordinal).ToList())
        {
            string? refusal;
            try
            {
                refusal = await Refusal(agencyId);
            }
            catch (Exception e)
            {
                logger.LogWarning("The standing of agency {AgencyId} could not be read ({Error}); its connections stay open until it can", agencyId, e.Message);
                continue;
            }
            if (refusal is null) continue;
            foreach (var (id, connection) in _connections.Where(c => c.Value.AgencyId == agencyId).ToList())
            {
                logger.LogInformation("Closing console connection {ConnectionId} of agency {AgencyId}: {Refusal}", id, agencyId, refusal);
                connection.Context.Abort();
                _connections.TryRemove(id, out _);
            }
        }
    }
}

/// <summary>Runs <see cref="AgencyStanding.Sweep"/> every <see cref="AgencyStanding.RefreshAfter"/>.</summary>
public sealed class AgencyStandingSweep(AgencyStanding standing, ILogger<AgencyStandingSweep> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(AgencyStanding.RefreshAfter);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await standing.Sweep();
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "The sweep of agencies' console connections failed; it runs again in {Period}", AgencyStanding.RefreshAfter);
            }
        }
    }
}

/// <summary>The registry could not be read to check an agency token (the database did not answer): a 503, nothing done.</summary>
public sealed class AgencyStandingUnavailableException(Exception inner)
    : Exception("the agency registry could not be read to check the token's agency (the database did not answer); nothing was done: retry", inner);

/// <summary>Why an agency token was not taken; its message is the 401's detail.</summary>
public sealed class AgencyNotInStandingException(string message) : Exception(message);
