using System.Text.Json;
using HuaduDispatch.Api.Security;
using HuaduDispatch.Contracts;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;

namespace HuaduDispatch.Api.Realtime;

/// <summary>What both hubs share: the answer to a call whose arguments did not bind (<see cref="ArgumentCheckingHubProtocol"/>).</summary>
public abstract class RefusingHub : Hub<IDispatchHubClient>
{
    /// <summary>A 400 naming what was wrong, thrown through the hub filters like every refused call.</summary>
    [HubMethodName(ArgumentCheckingHubProtocol.RefusedTarget)]
    public Task ArgumentsRefused(string method, string problem) => throw new HubException($"400 Invalid: {method}: {problem}");
}

/// <summary>
/// Console hub /hubs/dispatch (policy console-hub: dispatcher, commander, viewer, admin, agency).
/// Subscribe(scope) answers a snapshot with the scope's sequence number; then Delta messages follow in sequence order.
/// Agencies may subscribe only to incidents they reported or that were shared with them, and read them as partners do
/// (<see cref="PartnerView"/>): their connections are in a group of their own (<see cref="DeltaRelay.PartnerGroup"/>), to which
/// the relay sends the partner view of each batch, and their snapshots and resyncs are the partner view too.
/// </summary>
[Authorize(Policy = Policies.ConsoleHub)]
public sealed class DispatchHub(IGrainFactory grains, DeltaRelay relay, AgencyStanding agencies, HubConnections connections) : RefusingHub, IDispatchHub
{
    /// <summary>
    /// Counted against its client's connections (<see cref="HubConnections"/>: closed at once past the most allowed); an
    /// agency's connection is known to <see cref="AgencyStanding"/>, which closes it when the agency is retired.
    /// </summary>
    public override Task OnConnectedAsync()
    {
        if (!connections.Opened(Context)) return Task.CompletedTask;
        if (Context.User?.ToActor() is { Role: Roles.Agency, AgencyId: { } agencyId }) agencies.Connected(agencyId, Context);
        return base.OnConnectedAsync();
    }

    public async Task<ScopeSnapshot> Subscribe(string scope)
    {
        var partner = await Authorize(scope);
        if (partner) relay.PartnerJoining(scope, Context.ConnectionId);
        // Join first, then read: a delta sent in between is older than the snapshot and the client skips it by its seq.
        await Groups.AddToGroupAsync(Context.ConnectionId, partner ? DeltaRelay.PartnerGroup(scope) : scope);
        var snapshot = await grains.Grain<IScopeGrain>(scope).Snapshot(relay.Reference);
        relay.Following(scope, Context.ConnectionId, snapshot.Seq, partner);
        return partner ? DeltaRelay.ForPartner(snapshot) : snapshot;
    }

    public async Task Unsubscribe(string scope)
    {
        await Groups.RemoveFromGroupAsync(Context.ConnectionId, IsAgency ? DeltaRelay.PartnerGroup(scope) : scope);
        relay.NotFollowing(scope, Context.ConnectionId);
    }

    public async Task<ResyncResult> Resync(string scope, long afterSeq)
    {
        var partner = await Authorize(scope);
        if (partner) relay.PartnerJoining(scope, Context.ConnectionId);
        await Groups.AddToGroupAsync(Context.ConnectionId, partner ? DeltaRelay.PartnerGroup(scope) : scope); // after a reconnect this is a new connection
        var result = await grains.Grain<IScopeGrain>(scope).Resync(afterSeq, relay.Reference);
        relay.Resynced(scope, Context.ConnectionId, result, afterSeq, partner);
        return partner ? DeltaRelay.ForPartner(result) : result;
    }

    private bool IsAgency => Context.User?.ToActor().Role == Roles.Agency;

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        relay.Closed(Context.ConnectionId);
        agencies.Disconnected(Context.ConnectionId);
        connections.Closed(Context);
        return base.OnDisconnectedAsync(exception);
    }

    /// <summary>Checks the caller may follow <paramref name="scope"/>; true when it is an agency (it reads it as partners do).</summary>
    private async Task<bool> Authorize(string scope)
    {
        if (!Scopes.TryParseConsoleScope(scope, out var kind, out var id))
            throw new HubException($"400 Invalid scope '{scope}': use district, area:{{areaId}} or incident:{{incidentId}}");
        var actor = Context.User!.ToActor();
        if (actor.Role == Roles.Agency && kind != "incident")
            throw new HubException("403 Forbidden: an agency may subscribe only to incidents it reported or that were shared with it");
        // An unknown id is a 404, as over REST: a console with a mistyped id would otherwise wait on an empty scope for ever.
        if (kind == "area" && !(await grains.Grain<IReferenceDataGrain>(ReferenceData.GrainKey).GetAreas()).Any(a => a.Id == id))
            throw new HubException($"404 Not found: no area has the id '{id}'");
        if (kind != "incident") return false;
        var incident = await grains.Grain<IIncidentGrain>(id!).Get();
        if (actor.Role == Roles.Agency && (incident is null || !actor.CanSee(incident)))
            throw new HubException($"404 Not found: no incident '{id}' reported by or shared with agency {actor.AgencyId}");
        if (incident is null) throw new HubException($"404 Not found: no incident has the id '{id}'");
        return actor.Role == Roles.Agency;
    }
}

/// <summary>
/// Team hub /hubs/field (policy field-hub: team tokens only). The connection is bound to the token's team: it receives the
/// team's own state and its tasks (scope team:{teamId}) and reports with the same rules as the REST endpoints.
/// </summary>
[Authorize(Policy = Policies.FieldHub)]
public sealed class FieldHub(IGrainFactory grains, DeltaRelay relay, HubConnections connections) : RefusingHub, IFieldHub
{
    private string TeamId => Context.User!.ToActor().TeamId ?? throw new HubException("403 Forbidden: the token is bound to no team");
    private Actor Actor => Context.User!.ToActor();

    public override async Task OnConnectedAsync()
    {
        if (Context.User?.ToActor().TeamId is not { Length: > 0 } teamId)
        {
            Context.Abort();
            return;
        }
        if (!connections.Opened(Context)) return;
        await Groups.AddToGroupAsync(Context.ConnectionId, Scopes.Team(teamId));
        await base.OnConnectedAsync();
    }

    /// <summary>A token may name a team the reference data does not have (any longer): a 404, as its reports get.</summary>
    private async Task EnsureTeam()
    {
        if (await grains.Grain<IRescueTeamGrain>(TeamId).Get() is null) throw new HubException($"404 Not found: no team has the id '{TeamId}'");
    }

    public async Task<ScopeSnapshot> Subscribe()
    {
        await EnsureTeam();
        var snapshot = await grains.Grain<IScopeGrain>(Scopes.Team(TeamId)).Snapshot(relay.Reference);
        relay.Following(Scopes.Team(TeamId), Context.ConnectionId, snapshot.Seq);
        return snapshot;
    }

    public async Task<ResyncResult> Resync(long afterSeq)
    {
        await EnsureTeam();
        var result = await grains.Grain<IScopeGrain>(Scopes.Team(TeamId)).Resync(afterSeq, relay.Reference);
        relay.Resynced(Scopes.Team(TeamId), Context.ConnectionId, result, afterSeq);
        return result;
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        relay.Closed(Context.ConnectionId);
        connections.Closed(Context);
        return base.OnDisconnectedAsync(exception);
    }

    public Task<RescueTeam> ReportStatus(TeamStatusReport report) => grains.Grain<IRescueTeamGrain>(TeamId).ReportStatus(report, Actor);

    public Task<RescueTeam> ReportPosition(TeamPositionReport report) => grains.Grain<IRescueTeamGrain>(TeamId).ReportPosition(report, Actor);

    public Task<DispatchTask> AcknowledgeTask(string incidentId, string taskId) =>
        grains.Grain<IIncidentGrain>(incidentId).UpdateTask(DeltaKinds.LocalTaskId(incidentId, taskId), new TaskUpdateRequest { Status = DispatchTaskStatus.Acknowledged }, Actor);

    public Task<DispatchTask> UpdateTask(string incidentId, string taskId, TaskUpdateRequest update) =>
        grains.Grain<IIncidentGrain>(incidentId).UpdateTask(DeltaKinds.LocalTaskId(incidentId, taskId), update, Actor);
}

/// <summary>
/// Domain refusals reach hub clients as HubException messages starting with the HTTP status the REST API would give. This filter
/// also does the logging of hub calls that fail: a refusal (the client's mistake: a domain rule, or a HubException from the hub
/// itself) at Debug, as the REST API does not log its 4xx either, and anything else (the server's fault) at Error with the
/// exception. SignalR's own "Failed to invoke hub method" Error, which it writes for both, is filtered out (see
/// <see cref="DispatchApi"/>), so that a radio sending a status its team may not take does not page the operators.
/// </summary>
public sealed class DomainHubFilter(ILogger<DomainHubFilter> logger, HttpOptions http) : IHubFilter
{
    /// <summary>The hub methods that change nothing stored: a fault is only "retry" for them, not "may or may not have taken effect".</summary>
    public static bool IsRead(string method) => method is nameof(DispatchHub.Subscribe) or nameof(DispatchHub.Unsubscribe) or nameof(DispatchHub.Resync);

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext context, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            CheckArguments(context);
            return await next(context);
        }
        catch (DomainException e)
        {
            var status = e.Kind switch
            {
                DomainErrorKind.Invalid => "400 Invalid",
                DomainErrorKind.NotFound => "404 Not found",
                DomainErrorKind.Forbidden => "403 Forbidden",
                DomainErrorKind.PreconditionFailed => "412 Precondition failed",
                _ => "409 Conflict",
            };
            var refusal = new HubException($"{status}: {e.Reason}");
            Refused(context, refusal);
            throw refusal;
        }
        catch (HubException e)
        {
            Refused(context, e);
            throw;
        }
        catch (Exception e) when (TransientFaults.Describe(e, read: IsRead(context.HubMethodName), hubCall: true) is { } transient)
        {
            // As the REST API's 503: the database or the cluster failed, not the call; the client may retry.
            logger.LogWarning(e, "Hub method {Hub}.{Method} failed for {Client}: {Detail}",
                context.Hub.GetType().Name, context.HubMethodName, ClientOf(context), transient);
            throw new HubException($"503 Unavailable: {transient}");
        }
        catch (Exception e)
        {
            logger.LogError(e, "Hub method {Hub}.{Method} failed for {Client} (connection {ConnectionId})",
                context.Hub.GetType().Name, context.HubMethodName, ClientOf(context), context.Context.ConnectionId);
            throw;
        }
    }

    /// <summary>
    /// Every argument of every hub method is required: an id, a scope or a report. A null or blank one would reach a grain as
    /// a null key or a null report and fail as a server error, so it is a 400 naming the parameter. Strings, the arguments
    /// themselves and those of a report (a note), have the REST API's limits on a body (<see cref="BoundedStringConverter"/>):
    /// at most <see cref="HttpOptions.MaxStringLength"/> characters and no NUL (ids become keys PostgreSQL cannot hold).
    /// </summary>
    private void CheckArguments(HubInvocationContext context)
    {
        var parameters = context.HubMethod.GetParameters();
        for (var i = 0; i < context.HubMethodArguments.Count; i++)
        {
            var name = i < parameters.Length ? parameters[i].Name! : $"argument {i + 1}";
            switch (context.HubMethodArguments[i])
            {
                case null:
                case string text when string.IsNullOrWhiteSpace(text):
                    throw new HubException($"400 Invalid: {name} is required");
                case string text:
                    CheckString(name, text);
                    break;
                case { } report when report.GetType().Namespace == typeof(Actor).Namespace:
                    foreach (var property in StringProperties.GetOrAdd(report.GetType(), t => [.. t.GetProperties().Where(p => p.PropertyType == typeof(string))]))
                    {
                        if (property.GetValue(report) is string value) CheckString($"{name}.{JsonNamingPolicy.CamelCase.ConvertName(property.Name)}", value);
                    }
                    break;
            }
        }
    }

    /// <summary>The string properties of each report type a hub method takes, found once.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, System.Reflection.PropertyInfo[]> StringProperties = new();

    private void CheckString(string name, string value)
    {
        if (BoundedStringConverter.Problem(value, http.MaxStringLength) is { } problem) throw new HubException($"400 Invalid: {name} {problem}");
    }

    private void Refused(HubInvocationContext context, HubException refusal) =>
        logger.LogDebug("Hub method {Hub}.{Method} refused for {Client}: {Refusal}",
            context.Hub.GetType().Name, context.HubMethodName, ClientOf(context), refusal.Message);

    private static string ClientOf(HubInvocationContext context) => HubRateLimitFilter.ClientKey(context.Context);

    /// <summary>The category of SignalR's per-call failure log, which this filter replaces.</summary>
    public const string SignalRDispatcherCategory = "Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher";
}

/// <summary>
/// Each hub method call takes a token from the caller's rate-limit bucket, the one its REST requests use (when
/// <c>Http:RateLimit:Enabled</c>). Over it the call fails with a HubException starting "429 Too many requests", and does nothing.
/// </summary>
public sealed class HubRateLimitFilter(ClientRateLimiter limiter, HttpOptions http) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext context, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        if (!http.RateLimit.Enabled) return await next(context);
        using var lease = limiter.Buckets.AttemptAcquire(ClientKey(context.Context));
        if (!lease.IsAcquired) throw new HubException($"429 Too many requests: {limiter.Refusal(ClientRateLimiter.RetryAfterSeconds(lease))}");
        return await next(context);
    }

    /// <summary>Who a hub call counts against: the same key as the connection's REST requests.</summary>
    public static string ClientKey(HubCallerContext caller) => HttpHardening.ClientKey(caller.User, caller.GetHttpContext()?.Connection.RemoteIpAddress);
}
