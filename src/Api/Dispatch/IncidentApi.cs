using System.Security.Claims;
using System.Security.Cryptography;
using HuaduDispatch.Api.Security;
using HuaduDispatch.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace HuaduDispatch.Api.Dispatch;

/// <summary>Incidents: report, grade, transitions, dispatch, tasks, command post, timeline, recommendations, response plans.</summary>
public static class IncidentApi
{
    private const string IdAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    public const int MaxSourceLength = 64;
    public const int MaxExternalIdLength = 200;

    private static IIncidentGrain Incident(IGrainFactory grains, string id) => grains.Grain<IIncidentGrain>(id);

    /// <summary>A new incident id: INC-yyyyMMdd-XXXXXXXX (the prefix keeps it a text key in grain storage).</summary>
    public static string NewIncidentId(DateTimeOffset now) =>
        $"INC-{now:yyyyMMdd}-{new string(RandomNumberGenerator.GetItems<char>(IdAlphabet, 8))}";

    public static RouteGroupBuilder MapIncidentApi(this RouteGroupBuilder v1)
    {
        var incidents = v1.MapGroup("/incidents");
        incidents.AddEndpointFilter(AsPartnersSeeIt);

        incidents.MapPost("", async Task<IResult> (CreateIncident body, IGrainFactory grains, ClaimsPrincipal user, TimeProvider clock, HttpContext http) =>
        {
            var (incident, created) = await Report(body, grains, user.ToActor(), clock.GetUtcNow(), IdempotencyMiddleware.For(http));
            return Reported(http, incident, created);
        }).Produces<Incident>(StatusCodes.Status201Created).Produces<Incident>().RequireAuthorization(Policies.Report);

        incidents.MapGet("", async Task<IResult> (IGrainFactory grains, ClaimsPrincipal user, string? status, string? areaId, string? level, string? type) =>
        {
            if (!Problems.TryParseFilter<IncidentStatus>(status, "status", out var st, out var e1)) return e1!;
            if (!Problems.TryParseFilter<ResponseLevel>(level, "level", out var lv, out var e2)) return e2!;
            if (!Problems.TryParseFilter<IncidentType>(type, "type", out var ty, out var e3)) return e3!;
            var (area, e4) = await Reference.ReferenceApi.AreaFilter(grains, areaId);
            if (e4 is not null) return e4;
            return TypedResults.Ok(await List(grains, user.ToActor(), new IncidentFilter { Status = st, Level = lv, Type = ty }, area));
        }).Produces<List<IncidentSummary>>().RequireAuthorization(Policies.AnyRole);

        incidents.MapGet("/{id}", async Task<IResult> (string id, IGrainFactory grains, ClaimsPrincipal user) =>
            await Visible(grains, id, user) is { } incident ? TypedResults.Ok(incident) : Problems.NotFound("Incident", id))
            .Produces<Incident>().RequireAuthorization(Policies.AnyRole);

        incidents.MapPost("/{id}/assessments", async Task<IResult> (string id, AssessmentUpdate body, IGrainFactory grains, ClaimsPrincipal user) =>
        {
            if (await Visible(grains, id, user) is null) return Problems.NotFound("Incident", id);
            return TypedResults.Ok(await Incident(grains, id).Assess(body, user.ToActor()));
        }).Produces<Incident>().RequireAuthorization(Policies.Report);

        incidents.MapPost("/{id}/shares", async (string id, ShareRequest body, IGrainFactory grains, ClaimsPrincipal user) =>
            TypedResults.Ok(await Incident(grains, id).Share(body, user.ToActor())))
            .RequireAuthorization(Policies.Command);

        incidents.MapPost("/{id}/transitions", async (string id, TransitionRequest body, IGrainFactory grains, ClaimsPrincipal user) =>
            TypedResults.Ok(await Incident(grains, id).Transition(body, user.ToActor())))
            .RequireAuthorization(Policies.Command);

        incidents.MapPost("/{id}/response-level", async (string id, ResponseLevelRequest body, IGrainFactory grains, ClaimsPrincipal user) =>
            TypedResults.Ok(await Incident(grains, id).SetLevel(body, user.ToActor())))
            .RequireAuthorization(Policies.Command);

        // The report upward was made (the typhoon-night tester's F7): recorded, and nothing is owed until an escalation.
        incidents.MapPost("/{id}/upward-reports", async (string id, UpwardReportRequest? body, IGrainFactory grains, ClaimsPrincipal user) =>
            TypedResults.Ok(await Incident(grains, id).ReportUpward(body ?? new UpwardReportRequest(), user.ToActor())))
            .RequireAuthorization(Policies.Command);

        incidents.MapGet("/{id}/recommendations", async (string id, IGrainFactory grains) =>
            TypedResults.Ok(await grains.GetGrain<IRecommendationGrain>(0).Recommend(id)))
            .RequireAuthorization(Policies.Console);

        incidents.MapPost("/{id}/dispatches", async (string id, DispatchRequest body, IGrainFactory grains, ClaimsPrincipal user) =>
            TypedResults.Ok(await Incident(grains, id).Dispatch(body, user.ToActor())))
            .RequireAuthorization(Policies.Command);

        incidents.MapPost("/{id}/teams/{teamId}/release", async (string id, string teamId, ReleaseRequest? body, IGrainFactory grains, ClaimsPrincipal user) =>
            TypedResults.Ok(await Incident(grains, id).ReleaseTeam(teamId, body ?? new ReleaseRequest(), user.ToActor())))
            .RequireAuthorization(Policies.Command);

        incidents.MapGet("/{id}/tasks", async Task<IResult> (string id, IGrainFactory grains, ClaimsPrincipal user) =>
        {
            if (await Visible(grains, id, user) is null) return Problems.NotFound("Incident", id);
            return TypedResults.Ok(await Incident(grains, id).GetTasks());
        }).Produces<IReadOnlyList<DispatchTask>>().RequireAuthorization(Policies.AnyRole);

        // One task: where a new task's 201 Location points (it was a 404 until the thirty-first session). The id is the task's
        // own ("task-3") or the form deltas carry ("{incidentId}/task-3").
        incidents.MapGet("/{id}/tasks/{taskId}", async Task<IResult> (string id, string taskId, IGrainFactory grains, ClaimsPrincipal user) =>
        {
            if (await Visible(grains, id, user) is null) return Problems.NotFound("Incident", id);
            var given = Uri.UnescapeDataString(taskId);
            var local = DeltaKinds.LocalTaskId(id, given);
            return (await Incident(grains, id).GetTasks()).FirstOrDefault(t => t.Id == local) is { } task ? TypedResults.Ok(task) : Problems.NotFound("Task", HttpHardening.Quote(given));
        }).Produces<DispatchTask>().RequireAuthorization(Policies.AnyRole);

        incidents.MapPost("/{id}/tasks", async (string id, IssueTaskRequest body, IGrainFactory grains, ClaimsPrincipal user) =>
        {
            var task = await Incident(grains, id).IssueTask(body, user.ToActor());
            return TypedResults.Created($"/api/v1/incidents/{id}/tasks/{task.Id}", task);
        }).RequireAuthorization(Policies.Command);

        incidents.MapPost("/{id}/tasks/{taskId}/status", async (string id, string taskId, TaskUpdateRequest body, IGrainFactory grains, ClaimsPrincipal user) =>
            TypedResults.Ok(await Incident(grains, id).UpdateTask(taskId, body, user.ToActor())))
            .RequireAuthorization(Policies.TeamReport);

        incidents.MapGet("/{id}/command-post", async Task<IResult> (string id, IGrainFactory grains, ClaimsPrincipal user) =>
        {
            if (await Visible(grains, id, user) is not { } incident) return Problems.NotFound("Incident", id);
            if (await grains.Grain<IFieldCommandPostGrain>(id).Get() is not { } post)
                return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No command post",
                    detail: $"incident {id} has no field command post; one is set up at level III and above, or on request");
            var tasks = await Incident(grains, id).GetTasks();
            return TypedResults.Ok(post with
            {
                Teams = [.. incident.Teams.Where(t => t.ReleasedAt is null).Select(t => t.TeamId)],
                Tasks = [.. tasks.Where(t => t.IssuedBy == TaskIssuer.CommandPost)],
            });
        }).Produces<CommandPost>().RequireAuthorization(Policies.AnyRole);

        incidents.MapPost("/{id}/command-post", async (string id, CommandPostRequest? body, IGrainFactory grains, ClaimsPrincipal user) =>
            TypedResults.Ok(await Incident(grains, id).SetUpCommandPost(body ?? new CommandPostRequest(), user.ToActor())))
            .RequireAuthorization(Policies.Command);

        incidents.MapPost("/{id}/command-post/sitreps", async (string id, SitRepRequest body, IGrainFactory grains, ClaimsPrincipal user) =>
        {
            var report = await Incident(grains, id).AddSitRep(body, user.ToActor());
            return TypedResults.Created($"/api/v1/incidents/{id}/command-post", report);
        }).RequireAuthorization(Policies.Command);

        incidents.MapGet("/{id}/timeline", async Task<IResult> (string id, IGrainFactory grains) =>
        {
            if (await Incident(grains, id).Get() is null) return Problems.NotFound("Incident", id);
            return TypedResults.Ok(await grains.Grain<IIncidentTimelineGrain>(id).Get());
        }).Produces<IReadOnlyList<TimelineEntry>>().RequireAuthorization(Policies.Console);

        // The plans' version is their ETag; a PUT with If-Match replaces them only if that version is still in force (412
        // otherwise). Until the thirty-first session two admins editing at once both got 200 and the first change was lost.
        v1.MapGet("/response-plans", async (IGrainFactory grains, HttpContext http) =>
        {
            var plans = await grains.Grain<IResponsePlanGrain>(ResponsePlans.GrainKey).GetVersioned();
            http.Response.Headers.ETag = plans.ETag;
            return TypedResults.Ok(plans.Entries);
        }).RequireAuthorization(Policies.AnyRole);

        v1.MapPut("/response-plans", async (List<ResponsePlanEntry> body, IGrainFactory grains, ClaimsPrincipal user, HttpContext http) =>
        {
            var plans = await grains.Grain<IResponsePlanGrain>(ResponsePlans.GrainKey).Replace(body, user.ToActor(), IfMatchVersions(http));
            http.Response.Headers.ETag = plans.ETag;
            return TypedResults.Ok(plans.Entries);
        }).RequireAuthorization(Policies.Admin);

        return v1;
    }

    /// <summary>
    /// The versions an If-Match header names: null without the header (or with "*", which any version in force matches); one
    /// per strong tag this API gives ("3"; a list may name several). A tag this API does not give ("abc", a weak W/"3", "011",
    /// or an empty header) names no version: the list is then empty, which no version matches (a 412 naming the one in force).
    /// </summary>
    public static IReadOnlyList<int>? IfMatchVersions(HttpContext http)
    {
        if (!http.Request.Headers.TryGetValue("If-Match", out var values)) return null;
        var tags = values.SelectMany(v => (v ?? "").Split(',')).Select(t => t.Trim()).Where(t => t.Length > 0).ToList();
        if (tags.Contains("*")) return null;
        var versions = new List<int>();
        foreach (var tag in tags)
        {
            var inner = tag.Length > 2 && tag[0] == '"' && tag[^1] == '"' ? tag[1..^1] : null;
            if (inner is not null && (inner == "0" || (inner[0] != '0' && inner.All(char.IsAsciiDigit))) &&
                int.TryParse(inner, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var version))
                versions.Add(version);
        }
        return versions;
    }

    /// <summary>
    /// An endpoint filter: an incident, its tasks and its command post answered to an agency are as partners see them
    /// (<see cref="PartnerView"/>: without the report upward, the district's duty to its superiors, which a verifier's M3 of the
    /// thirty-second session saw reach partners with the recorder's name; and without the names of the centre's staff, a
    /// partner tester's finding). On the incidents group and the EIDO import.
    /// </summary>
    public static async ValueTask<object?> AsPartnersSeeIt(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var result = await next(context);
        if (!context.HttpContext.User.IsInRole(Roles.Agency)) return result;
        return result switch
        {
            Microsoft.AspNetCore.Http.HttpResults.Ok<Incident> { Value: { } ok } => TypedResults.Ok(ok.ForPartner()),
            Microsoft.AspNetCore.Http.HttpResults.Created<Incident> { Value: { } created } c => TypedResults.Created(c.Location, created.ForPartner()),
            Incident incident => incident.ForPartner(),
            Microsoft.AspNetCore.Http.HttpResults.Ok<IReadOnlyList<DispatchTask>> { Value: { } tasks } => TypedResults.Ok<IReadOnlyList<DispatchTask>>([.. tasks.Select(t => t.ForPartner())]),
            Microsoft.AspNetCore.Http.HttpResults.Ok<DispatchTask> { Value: { } task } => TypedResults.Ok(task.ForPartner()),
            Microsoft.AspNetCore.Http.HttpResults.Ok<CommandPost> { Value: { } post } => TypedResults.Ok(post.ForPartner()),
            _ => result,
        };
    }

    /// <summary>
    /// The answer to a report: 201 with the new incident, or 200 with the one that already exists (a resubmission of the same
    /// externalId, or an update); both say where it is in Location.
    /// </summary>
    public static IResult Reported(HttpContext http, Incident incident, bool created)
    {
        var location = $"/api/v1/incidents/{incident.Id}";
        if (created) return TypedResults.Created(location, incident);
        http.Response.Headers.Location = location;
        return TypedResults.Ok(incident);
    }

    /// <summary>Incident summaries from the area boards (one area, or all), newest first, only those the caller may see.</summary>
    public static async Task<List<IncidentSummary>> List(IGrainFactory grains, Actor actor, IncidentFilter filter, string? areaId = null)
    {
        // Only the catalogue's areas: a client's made-up areaId must not activate a board grain for it.
        var known = (await grains.Grain<IReferenceDataGrain>(ReferenceData.GrainKey).GetAreas()).Select(a => a.Id).ToList();
        var areas = areaId is { Length: > 0 } ? known.Where(a => a == areaId).ToList() : known;
        var boards = await Task.WhenAll(areas.Select(a => grains.Grain<IAreaBoardGrain>(a).Query(filter)));
        return [.. boards.SelectMany(b => b).Where(actor.CanSee).OrderByDescending(i => i.OccurredAt)];
    }

    /// <summary>The incident if it exists and the caller may see it (agencies: their own or shared ones); otherwise null (404).</summary>
    public static async Task<Incident?> Visible(IGrainFactory grains, string id, ClaimsPrincipal user) =>
        await Incident(grains, id).Get() is { } incident && user.CanSee(incident) ? incident : null;

    /// <summary>
    /// Reports an incident (REST and EIDO). An agency reports only as itself. A (source, externalId) pair is bound once to the
    /// incident created for it: a resubmission returns that incident with created = false. Without an externalId, the request's
    /// <paramref name="idempotencyKey"/> (client-scoped) is bound the same way: a retry with the same key after the node died
    /// before it kept the response (the key's lease then runs out and the request runs again) returns the incident the first
    /// attempt created instead of a second one.
    /// </summary>
    public static async Task<(Incident Incident, bool Created)> Report(CreateIncident body, IGrainFactory grains, Actor actor, DateTimeOffset now,
        string? idempotencyKey = null)
    {
        if (actor.Role == Roles.Agency)
        {
            // A token from another issuer may name no agency, or one of the district's own sources: it reports as no one.
            if (IncidentSources.AgencyIdProblem(actor.AgencyId) is { } problem)
                throw DomainException.Forbidden($"this token's agency id '{actor.AgencyId}' is not an agency id (it {problem}), so it cannot report");
            if (body.Source is { Length: > 0 } s && s.Trim() != actor.AgencyId)
                throw DomainException.Forbidden($"an agency token may report only as its own agency ({actor.AgencyId})");
            body = body with { Source = actor.AgencyId };
        }
        // Both become part of a storage key (and an index entry in PostgreSQL): keep them short.
        if (body.Source is { Length: > MaxSourceLength }) throw DomainException.Invalid("source", $"source is longer than {MaxSourceLength} characters");
        // The source is who reported: one of the district's own sources or an agency id, which that agency then reads by.
        if (body.Source is { } given && !string.IsNullOrWhiteSpace(given))
        {
            body = body with { Source = given.Trim() };
            if (IncidentSources.SourceProblem(body.Source) is { } problem) throw DomainException.Invalid("source", $"source '{body.Source}' {problem}");
        }
        if (body.ExternalId is { Length: > MaxExternalIdLength }) throw DomainException.Invalid("externalId", $"externalId is longer than {MaxExternalIdLength} characters");
        var id = NewIncidentId(now);
        string? binding = null;
        if (body.ExternalId is { Length: > 0 } external && body.Source is { Length: > 0 } source && !string.IsNullOrWhiteSpace(external))
        {
            body = body with { ExternalId = external.Trim() };
            binding = $"ext|{source.Trim()}|{body.ExternalId}";
        }
        else if (idempotencyKey is { Length: > 0 }) binding = $"idem|{idempotencyKey}";
        if (binding is not null)
        {
            var bound = await grains.Grain<IExternalIdGrain>(binding).Claim(id);
            if (bound != id)
            {
                if (await Incident(grains, bound).Get() is { } existing) return (await Resubmitted(grains, existing, body, actor), false);
                id = bound; // an earlier attempt bound the id but was refused (bad input) or cut short: create it now under that id
            }
        }
        try
        {
            return (await Incident(grains, id).Create(body, actor), true);
        }
        catch (DomainException e) when (e.Kind == DomainErrorKind.Conflict && binding is not null)
        {
            // A concurrent resubmission created it a moment ago.
            if (await Incident(grains, id).Get() is { } raced) return (await Resubmitted(grains, raced, body, actor), false);
            throw;
        }
    }

    /// <summary>
    /// A resubmission of a bound externalId: the figures it gives that differ from the incident's are applied through the
    /// incident's Assess, as an update (and an EIDO resubmission) does; a final incident refuses them with 409. The other
    /// fields (type, title, description, location, occurredAt) stay as first reported. Before the twenty-third session the figures were
    /// dropped too, behind the same 200.
    /// </summary>
    private static async Task<Incident> Resubmitted(IGrainFactory grains, Incident existing, CreateIncident body, Actor actor) =>
        body.Assessment is { } figures && !figures.GivesNoFigure() && figures.ApplyTo(existing.Assessment) != existing.Assessment
            ? await Incident(grains, existing.Id).Assess(figures, actor)
            : existing;

    public static RouteGroupBuilder MapTeamReportApi(this RouteGroupBuilder v1)
    {
        v1.MapPost("/teams/{id}/status", async (string id, TeamStatusReport body, IGrainFactory grains, ClaimsPrincipal user) =>
            TypedResults.Ok(await grains.Grain<IRescueTeamGrain>(id).ReportStatus(body, user.ToActor())))
            .RequireAuthorization(Policies.TeamReport);

        v1.MapPost("/teams/{id}/position", async (string id, TeamPositionReport body, IGrainFactory grains, ClaimsPrincipal user) =>
            TypedResults.Ok(await grains.Grain<IRescueTeamGrain>(id).ReportPosition(body, user.ToActor())))
            .RequireAuthorization(Policies.TeamReport);
        return v1;
    }
}
