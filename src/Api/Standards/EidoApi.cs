using System.Security.Claims;
using System.Text.Json;
using HuaduDispatch.Api.Dispatch;
using HuaduDispatch.Api.Security;
using HuaduDispatch.Api.Standards.Eido;
using HuaduDispatch.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace HuaduDispatch.Api.Standards;

/// <summary>NENA EIDO (NENA-STA-021, JSON) export of an incident and import of one EIDO (create or update).</summary>
public static class EidoApi
{
    /// <summary>Roles that may read an incident's timeline (GET /incidents/{id}/timeline is console-only); the others get no timeline notes.</summary>
    private static readonly HashSet<string> TimelineReaders = [Roles.Dispatcher, Roles.Commander, Roles.Viewer, Roles.Admin];

    public static RouteGroupBuilder MapEidoApi(this RouteGroupBuilder v1)
    {
        v1.MapGet("/incidents/{id}/eido", async Task<IResult> (string id, IGrainFactory grains, ClaimsPrincipal user) =>
        {
            if (await IncidentApi.Visible(grains, id, user) is not { } incident) return Problems.NotFound("Incident", id);
            return TypedResults.Ok(await Export(incident, grains, user.ToActor()));
        }).Produces(StatusCodes.Status200OK, typeof(JsonElement), "application/json").RequireAuthorization(Policies.AnyRole);

        v1.MapPost("/eido", async Task<IResult> (JsonElement document, HttpContext http, IGrainFactory grains, ClaimsPrincipal user, TimeProvider clock, HttpOptions limits) =>
        {
            // The framework reads the body with the API's JSON limits: 415 for another content type, 400 naming where it is malformed.
            var import = EidoMapper.FromEido(document);
            EidoMapper.CheckLengths(import, limits.MaxStringLength);
            var actor = user.ToActor();

            // Update: the tracking id is one of our incidents that the caller may see.
            if (EidoMapper.OwnIncidentId(import.TrackingId) is { } own && await IncidentApi.Visible(grains, own, user) is { } existing)
            {
                return IncidentApi.Reported(http, await ApplyUpdate(existing, import, grains, actor), created: false);
            }

            // Create (or find the incident this sender's tracking id is already bound to).
            var source = actor.Role == Roles.Agency ? actor.AgencyId : import.SenderAgency ?? "console";
            if (source is { Length: > IncidentApi.MaxSourceLength })
                throw DomainException.Invalid("updatedByAgencyReference", $"the sending agency id is longer than {IncidentApi.MaxSourceLength} characters");
            if (actor.Role != Roles.Agency && import.SenderAgency is { } sender && IncidentSources.SourceProblem(sender) is { } problem)
                throw DomainException.Invalid(import.SenderField ?? "updatedByAgencyReference.$ref", $"the sending agency '{sender}' {problem}");
            var body = import.Incident with { Source = source, ExternalId = import.TrackingId };
            Incident incident;
            bool created;
            try
            {
                (incident, created) = await IncidentApi.Report(body, grains, actor, clock.GetUtcNow());
            }
            catch (DomainException e) when (e.Kind == DomainErrorKind.Invalid && e.Field == "occurredAt" && import.OccurredAtField != "occurredAt")
            {
                // The incident rules name occurredAt; the sender sent the member it was taken from.
                throw DomainException.Invalid(import.OccurredAtField, $"{e.Reason} (the incident's occurredAt is taken from {import.OccurredAtField})");
            }
            // A resubmission's figures are applied by Report, as for a REST resubmission.
            return IncidentApi.Reported(http, incident, created);
        }).AddEndpointFilter(IncidentApi.AsPartnersSeeIt).Produces<Incident>(StatusCodes.Status201Created).Produces<Incident>().RequireAuthorization(Policies.Report);

        return v1;
    }

    /// <summary>
    /// The incident as an EIDO for this caller: timeline notes only for the console roles; an agency's as partners see the
    /// incident (<see cref="PartnerView"/>: no staff names in the level's reason).
    /// </summary>
    public static async Task<EidoDocument> Export(Incident incident, IGrainFactory grains, Actor actor)
    {
        if (actor.Role == Roles.Agency) incident = incident.ForPartner();
        var teamIds = incident.Teams.Select(t => t.TeamId).Distinct(StringComparer.Ordinal).ToList();
        var teams = await Task.WhenAll(teamIds.Select(t => grains.Grain<IRescueTeamGrain>(t).Get()));
        IReadOnlyList<TimelineEntry> timeline = TimelineReaders.Contains(actor.Role)
            ? await grains.Grain<IIncidentTimelineGrain>(incident.Id).Get()
            : [];
        // The incidents merged into it, read for their external ids: shown only to a caller who may read that incident (a partner
        // reads the ids of the incidents merged into its case, which its IncidentMergedIn events name, not another agency's reference).
        var merged = await Task.WhenAll(incident.MergedFrom.Select(async id =>
            await grains.Grain<IIncidentGrain>(id).Get() is { } m
                ? new EidoMergedIncident(id, actor.CanSee(m) ? m.ExternalId : null, m.UpdatedAt)
                : new EidoMergedIncident(id)));
        return EidoMapper.ToEido(incident, [.. teams.OfType<RescueTeam>()], timeline, merged);
    }

    /// <summary>
    /// What an update applies: the assessment figures our extension gives, when one differs (a figure left out keeps its value,
    /// as in a REST update); nothing else yet.
    /// </summary>
    private static async Task<Incident> ApplyUpdate(Incident incident, EidoImport import, IGrainFactory grains, Actor actor)
    {
        if (import.Assessment is { } figures && figures.ApplyTo(incident.Assessment) != incident.Assessment)
        {
            return await grains.Grain<IIncidentGrain>(incident.Id).Assess(figures, actor);
        }
        return incident;
    }
}
