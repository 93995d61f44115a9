using HuaduDispatch.Contracts;
using Orleans.Concurrency;

namespace HuaduDispatch.Grains.Agencies;

/// <summary>Which endpoint gets which events: the plain routing rule the sink applies.</summary>
public static class WebhookRouting
{
    /// <summary>
    /// For each event and each recipient, every endpoint of that agency subscribed to the event's kind gets the event, one that
    /// is switched off included: its outbox holds the event until it is switched on (until the thirtieth session such an endpoint
    /// got nothing, and the events raised while it was off were lost without a record). Unknown recipients (no subscriptions)
    /// are skipped, and so are retired agencies (their arrangement ended: nothing is held for them). Each outbox's list keeps the
    /// input order.
    /// </summary>
    public static Dictionary<string, List<IncidentEvent>> Route(IEnumerable<IncidentEvent> events,
        IReadOnlyDictionary<string, IReadOnlyList<WebhookSubscription>> subscriptions)
    {
        var routes = new Dictionary<string, List<IncidentEvent>>(StringComparer.Ordinal);
        foreach (var e in events)
        {
            foreach (var agencyId in e.Recipients.Distinct(StringComparer.Ordinal))
            {
                if (!subscriptions.TryGetValue(agencyId, out var endpoints)) continue;
                foreach (var endpoint in endpoints.Where(s => s.AgencyActive && s.Events.Contains(e.Kind)))
                {
                    if (!routes.TryGetValue(endpoint.OutboxKey, out var list)) routes[endpoint.OutboxKey] = list = [];
                    list.Add(e);
                }
            }
        }
        return routes;
    }
}

/// <summary>
/// The incident event sink (key 0): routes events to the subscribed endpoints' outboxes and returns once every outbox has
/// written them. It holds no state, so it runs as a stateless worker on the caller's silo.
/// </summary>
[StatelessWorker]
public sealed class IncidentEventSinkGrain : Grain, IIncidentEventSink
{
    public async Task Accept(IReadOnlyList<IncidentEvent> events)
    {
        if (events.Count == 0) return;
        var agencyIds = events.SelectMany(e => e.Recipients).Distinct(StringComparer.Ordinal)
            .Where(id => AgencyRules.AgencyIdProblem(id) is null) // not a valid agency id: cannot be registered, no need to look
            .ToList();
        var found = await Task.WhenAll(agencyIds.Select(async id => (id, subscriptions: await GrainFactory.Grain<IAgencyGrain>(id).GetSubscriptions())));
        var subscriptions = found.Where(f => f.subscriptions.Count > 0).ToDictionary(f => f.id, f => f.subscriptions, StringComparer.Ordinal);
        var routes = WebhookRouting.Route(events, subscriptions);
        await Task.WhenAll(routes.Select(r => GrainFactory.Grain<IWebhookOutboxGrain>(r.Key).Enqueue(r.Value)));
    }
}
