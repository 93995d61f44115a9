using System.Security.Claims;
using HuaduDispatch.Api.Security;
using HuaduDispatch.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace HuaduDispatch.Api.Agencies;

/// <summary>
/// The agency registry (联动单位) and its webhook endpoints. Admins manage it; an agency token may read its own entry and its
/// own endpoints' deliveries and dead letters. Another agency's id answers 404, as an unknown id does (agencies cannot probe
/// which ids exist).
/// </summary>
public static class AgencyApi
{
    private static IAgencyGrain Agency(IGrainFactory grains, string id) => grains.Grain<IAgencyGrain>(id);

    private static IWebhookOutboxGrain Outbox(IGrainFactory grains, string id, string webhookId) =>
        grains.Grain<IWebhookOutboxGrain>(WebhookOutboxKeys.For(id, webhookId));

    public static RouteGroupBuilder MapAgencyApi(this RouteGroupBuilder v1)
    {
        var agencies = v1.MapGroup("/agencies");

        agencies.MapGet("", async (IGrainFactory grains) =>
        {
            var ids = await grains.GetGrain<IAgencyRegistryGrain>(0).List();
            var all = await Task.WhenAll(ids.Select(id => Agency(grains, id).Get()));
            return TypedResults.Ok(all.OfType<Agency>().ToList());
        }).RequireAuthorization(Policies.Admin);

        agencies.MapPost("", async (AgencyRequest body, IGrainFactory grains, ClaimsPrincipal user, AgencyStanding standing) =>
        {
            var agency = await grains.GetGrain<IAgencyRegistryGrain>(0).Create(body, user.ToActor());
            standing.Forget(agency.Id); // a token refused a moment ago as unregistered counts now
            return TypedResults.Created($"/api/v1/agencies/{agency.Id}", agency);
        }).RequireAuthorization(Policies.Admin);

        agencies.MapGet("/{id}", async Task<IResult> (string id, IGrainFactory grains, ClaimsPrincipal user) =>
            MayRead(user, id) && await Agency(grains, id).Get() is { } agency ? TypedResults.Ok(agency) : Problems.NotFound("Agency", id))
            .Produces<Agency>().RequireAuthorization(Policies.AgencySelf);

        // "active": false retires the agency: this node refuses its tokens at once and closes its console connections; other
        // nodes within AgencyStanding.RefreshAfter.
        agencies.MapPut("/{id}", async (string id, AgencyRequest body, IGrainFactory grains, ClaimsPrincipal user, AgencyStanding standing) =>
        {
            var agency = await Agency(grains, id).Update(body, user.ToActor());
            standing.Forget(id);
            if (!agency.Active) await standing.Sweep();
            return TypedResults.Ok(agency);
        }).RequireAuthorization(Policies.Admin);

        // The endpoints, and one endpoint: where a new endpoint's 201 Location points (it answered 405 until the twenty-ninth session).
        agencies.MapGet("/{id}/webhooks", async Task<IResult> (string id, IGrainFactory grains, ClaimsPrincipal user) =>
            MayRead(user, id) && await Agency(grains, id).Get() is { } agency ? TypedResults.Ok(agency.Webhooks) : Problems.NotFound("Agency", id))
            .Produces<List<WebhookEndpoint>>().RequireAuthorization(Policies.AgencySelf);

        agencies.MapGet("/{id}/webhooks/{webhookId}", async Task<IResult> (string id, string webhookId, IGrainFactory grains, ClaimsPrincipal user) =>
        {
            if (!MayRead(user, id) || await Agency(grains, id).Get() is not { } agency) return Problems.NotFound("Agency", id);
            return agency.Webhooks.FirstOrDefault(w => w.Id == webhookId) is { } endpoint ? TypedResults.Ok(endpoint) : Problems.NotFound("Webhook", webhookId);
        }).Produces<WebhookEndpoint>().RequireAuthorization(Policies.AgencySelf);

        agencies.MapPut("/{id}/webhooks/{webhookId}", async (string id, string webhookId, WebhookRequest body, IGrainFactory grains, ClaimsPrincipal user) =>
            TypedResults.Ok(await Agency(grains, id).UpdateWebhook(webhookId, body, user.ToActor())))
            .RequireAuthorization(Policies.Admin);

        agencies.MapPost("/{id}/webhooks", async (string id, WebhookRequest body, IGrainFactory grains, ClaimsPrincipal user) =>
        {
            var endpoint = await Agency(grains, id).AddWebhook(body, user.ToActor());
            return TypedResults.Created($"/api/v1/agencies/{id}/webhooks/{endpoint.Id}", endpoint);
        }).RequireAuthorization(Policies.Admin);

        agencies.MapDelete("/{id}/webhooks/{webhookId}", async (string id, string webhookId, IGrainFactory grains, ClaimsPrincipal user) =>
        {
            await Agency(grains, id).RemoveWebhook(webhookId, user.ToActor());
            return TypedResults.NoContent();
        }).RequireAuthorization(Policies.Admin);

        agencies.MapGet("/{id}/webhooks/{webhookId}/deliveries", async Task<IResult> (string id, string webhookId, IGrainFactory grains, ClaimsPrincipal user) =>
            await Endpoint(grains, user, id, webhookId) is { } missing ? missing : TypedResults.Ok(await Outbox(grains, id, webhookId).Status()))
            .Produces<WebhookDeliveryStatus>().RequireAuthorization(Policies.AgencySelf);

        agencies.MapGet("/{id}/webhooks/{webhookId}/dead-letters", async Task<IResult> (string id, string webhookId, IGrainFactory grains, ClaimsPrincipal user) =>
            await Endpoint(grains, user, id, webhookId) is { } missing ? missing : TypedResults.Ok(await Outbox(grains, id, webhookId).DeadLetters()))
            .Produces<List<DeadLetterView>>().RequireAuthorization(Policies.AgencySelf);

        // Event ids contain a slash ("{incidentId}/{sequence}"): send it as %2F.
        agencies.MapPost("/{id}/webhooks/{webhookId}/dead-letters/{eventId}/replay",
            async Task<IResult> (string id, string webhookId, string eventId, IGrainFactory grains, ClaimsPrincipal user) =>
                await Endpoint(grains, user, id, webhookId) is { } missing
                    ? missing
                    : TypedResults.Ok(await Outbox(grains, id, webhookId).Replay(Uri.UnescapeDataString(eventId))))
            .Produces<ReplayResult>().RequireAuthorization(Policies.AgencySelf);

        agencies.MapPost("/{id}/webhooks/{webhookId}/dead-letters/replay", async Task<IResult> (string id, string webhookId, IGrainFactory grains, ClaimsPrincipal user) =>
            await Endpoint(grains, user, id, webhookId) is { } missing ? missing : TypedResults.Ok(await Outbox(grains, id, webhookId).Replay(null)))
            .Produces<ReplayResult>().RequireAuthorization(Policies.AgencySelf);

        return v1;
    }

    /// <summary>Admins read every agency; an agency token only its own.</summary>
    private static bool MayRead(ClaimsPrincipal user, string id) =>
        user.IsInRole(Roles.Admin) || (user.IsInRole(Roles.Agency) && user.FindFirstValue(Claims.AgencyId) == id);

    /// <summary>A 404 problem unless the caller may read the agency and it has the endpoint; null when all is well.</summary>
    private static async Task<IResult?> Endpoint(IGrainFactory grains, ClaimsPrincipal user, string id, string webhookId)
    {
        if (!MayRead(user, id) || await Agency(grains, id).Get() is null) return Problems.NotFound("Agency", id);
        if (!await Agency(grains, id).HasWebhook(webhookId)) return Problems.NotFound("Webhook", webhookId);
        return null;
    }
}
