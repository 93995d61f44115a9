namespace HuaduDispatch.Api;

/// <summary>
/// What each REST operation is for, as the OpenAPI document shows it: a summary, an optional longer description and a request
/// example. A test checks that every mapped endpoint has an entry, so a new endpoint cannot go undocumented.
/// </summary>
public static class ApiCatalogue
{
    public sealed record Entry(string Summary, string? Description = null, string? Example = null);

    public static Entry? Find(string method, string route) => Entries.GetValueOrDefault($"{method.ToUpperInvariant()} {route}");

    /// <summary>The tag an operation is grouped under: the first path segment after /api/v1.</summary>
    public static string Tag(string route)
    {
        var parts = route.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length > 2 ? parts[2] : "api";
    }

    public static IReadOnlyDictionary<string, Entry> Entries { get; } = new Dictionary<string, Entry>(StringComparer.Ordinal)
    {
        // Reference data
        ["GET /api/v1/areas"] = new("The 12 areas (towns and streets) of Huadu with their centroids"),
        ["GET /api/v1/teams"] = new("Rescue teams with live status", "Filters: areaId, level (District|Town), capability, status."),
        ["GET /api/v1/teams/{id}"] = new("One rescue team with its live status, position and assignment"),
        ["GET /api/v1/warehouses"] = new("Warehouses and their stock (on hand, reserved, available)", "Filters: areaId, kind."),
        ["GET /api/v1/warehouses/{id}"] = new("One warehouse with stock per item"),
        ["POST /api/v1/warehouses/{id}/stock-movements"] = new("Receive, issue or adjust stock",
            "The warehouse grain is the only writer; stock never goes negative (409). Every movement is kept with who and when.",
            """{"itemCode":"drinking-water","quantity":500,"kind":"Receive","reason":"delivery from the city reserve"}"""),
        ["GET /api/v1/warehouses/{id}/stock-movements"] = new("The warehouse's stock movements, newest last"),
        ["GET /api/v1/warehouses/{id}/shipments"] = new("The warehouse's orders: the relief convoys it is to load and send",
            "Planned and Loading convoys from this warehouse, earliest departure first, with their lines, trucks, departure and ETA. " +
            "A re-plan amends a Planned convoy under the same id."),
        ["GET /api/v1/items"] = new("The relief item catalogue: code, names, unit, weight and volume per unit"),
        ["GET /api/v1/shelters"] = new("Emergency shelters with capacity and live occupancy", "Filters: areaId, open."),
        ["GET /api/v1/shelters/{id}"] = new("One shelter with capacity, occupancy and the incidents it houses"),
        ["POST /api/v1/shelters/{id}/occupancy"] = new("Report a shelter's occupancy or open/close it",
            "Occupancy may not exceed capacity (1 m² per person).", """{"occupancy":120,"open":true,"note":"head count at 14:00"}"""),
        ["GET /api/v1/risk-points"] = new("Risk points (风险点) by colour level", "Filters: areaId, colour (Red|Orange|Yellow|Blue), kind."),
        ["GET /api/v1/hazard-points"] = new("Geological hazard points and flood black spots", "Filters: areaId, kind."),
        ["GET /api/v1/reference-data"] = new("Which reference data set is loaded (version, content hash, counts)"),
        ["POST /api/v1/reference-data/reload"] = new("Reload the reference data file (idempotent by content hash; live status and stock are kept)"),

        // Incidents
        ["POST /api/v1/incidents"] = new("Report an incident",
            "Graded at once (level I–IV from the figures). An agency reports only as itself; a (source, externalId) pair is bound " +
            "once, so a resubmission answers 200 with the existing incident instead of creating another (201).",
            """{"type":"Waterlogging","title":"Underpass flooded at Xinhua Rd","description":"Water 0.8 m deep, two cars stalled","location":{"lat":23.4042,"lon":113.2245,"address":"新华路隧道"},"occurredAt":"2026-12-01T08:40:00+08:00","source":"police-110","externalId":"110-20260612-0042","assessment":{"trapped":3}}"""),
        ["GET /api/v1/incidents"] = new("List incidents", "Filters: status, areaId, level, type. Agencies see only incidents they reported or that were shared with them. A merged incident's row has mergedInto, the survivor's id."),
        ["GET /api/v1/incidents/{id}"] = new("One incident with its level, status, teams and assessment"),
        ["POST /api/v1/incidents/{id}/assessments"] = new("New casualty and loss figures",
            "A more severe grading applies at once; a milder one is only proposed for a dispatcher to confirm.",
            """{"dead":0,"missing":1,"seriouslyInjured":2,"injured":5,"trapped":3,"affected":300,"relocated":120,"directLossCny":500000}"""),
        ["POST /api/v1/incidents/{id}/transitions"] = new("Change the incident's status",
            "Reported → Verified → Responding → Contained → Recovery → Closed, or Cancelled / Merged (with mergedInto, which any other transition refuses with a 400). 409 with the reason for an illegal step. A merge is recorded in the surviving incident's timeline too.",
            """{"to":"Contained","reason":"water receding, no one trapped"}"""),
        ["POST /api/v1/incidents/{id}/response-level"] = new("Set the response level by hand (a reason is required)", null,
            """{"level":"III","reason":"two towns affected; district command takes over"}"""),
        ["POST /api/v1/incidents/{id}/upward-reports"] = new("Record that the report upward (向上级报告) was made",
            "to (a LeadingTier) defaults to the tier leading now; reference (e.g. the document number, at most 200 characters) and note are optional. " +
            "The report owed is then settled (reportUpward.owed false) until a more severe level owes a new one; each call is recorded " +
            "(ReportedUpward in the timeline), a repeat too. A report owed and not recorded by its due time (reportDeadline) is " +
            "flagged: a ReportOverdue entry and reportUpward.overdue.",
            """{"to":"City","reference":"花应急报〔2026〕17号","note":"phoned to the city duty office, written report sent"}"""),
        ["POST /api/v1/incidents/{id}/shares"] = new("Share the incident with partner agencies",
            "They may then read it (REST, EIDO, console hub) and receive its webhook events.", """{"agencyIds":["fire-119"],"reason":"needs water rescue"}"""),
        ["GET /api/v1/incidents/{id}/recommendations"] = new("Recommended teams for the incident's open modules (optimal assignment with ETAs)"),
        ["POST /api/v1/incidents/{id}/dispatches"] = new("Dispatch teams to the incident",
            "All or nothing: a team that is busy elsewhere or not dispatchable makes the whole dispatch a 409.", """{"teamIds":["D01","T05"],"note":"bring pumps"}"""),
        ["POST /api/v1/incidents/{id}/teams/{teamId}/release"] = new("Release a team from the incident (its open tasks are cancelled); also a team whose own record names this incident though the incident does not list it (a dispatch cut short by a crash)", null,
            """{"reason":"task complete"}"""),
        ["GET /api/v1/incidents/{id}/tasks"] = new("The incident's tasks"),
        ["GET /api/v1/incidents/{id}/tasks/{taskId}"] = new("One task of the incident (where a new task's Location points); taskId as the task has it (task-3), or as deltas carry it ({incidentId}/task-3, the slash as %2F)"),
        ["POST /api/v1/incidents/{id}/tasks"] = new("Issue a task to an assigned team",
            "A teamId no team has is a 400; a team that is not assigned to the incident is a 409.",
            """{"teamId":"D01","title":"Pump out the underpass","description":"two pumps, report every 30 min"}"""),
        ["POST /api/v1/incidents/{id}/tasks/{taskId}/status"] = new("Move a task (a team only its own tasks)",
            "Issued → Acknowledged → InProgress → Done | Failed; Cancelled by the district centre only. Repeating the current status changes nothing, unless it carries a new note: the note is kept on the task and in the timeline.",
            """{"status":"Acknowledged","note":"on our way"}"""),
        ["GET /api/v1/incidents/{id}/command-post"] = new("The field command post with its teams, tasks and situation reports"),
        ["POST /api/v1/incidents/{id}/command-post"] = new("Set up a field command post (automatic at level III and above), or update it",
            "On an update, a field left out (or null) keeps its value; a blank commander is a 400.",
            """{"commander":"Duty commander Li","position":{"lat":23.405,"lon":113.225}}"""),
        ["POST /api/v1/incidents/{id}/command-post/sitreps"] = new("Add a situation report to the command post",
            "Kinds: Initial (the first report, 首报), then Update (续报) as often as needed, and Final (终报) last. "
            + "Each report is also in the incident's timeline; after the incident's close or cancellation only the Final report is taken (409).",
            """{"kind":"Initial","text":"underpass flooded 0.8 m deep, two cars stalled, three people trapped"}"""),
        ["GET /api/v1/incidents/{id}/timeline"] = new("The incident's append-only timeline: who did what, when"),
        ["GET /api/v1/incidents/{id}/relief"] = new("The incident's relief demand: deadline, allocations, shipments, status OnTrack|AtRisk|Met|Breached"),
        ["GET /api/v1/response-plans"] = new("Which response modules each incident type activates at each level"),
        ["PUT /api/v1/response-plans"] = new("Replace the response plans (admin)",
            "The body is the whole set, which replaces the one in force: GET /api/v1/response-plans gives it to edit. Every incident " +
            "type needs at least its level IV entry, or the PUT is refused (400) naming the types that lack one. The example shows " +
            "the shape of one entry; sent alone it is refused that way. The answer's ETag is the plans' version; send the ETag you read " +
            "in If-Match and the PUT applies only if no one replaced the plans since (412 otherwise).",
            """[{"type":"Waterlogging","level":"III","modules":[{"capability":"WaterRescue","count":2},{"capability":"LogisticsSupport","count":1}]}]"""),

        // Standards: NENA EIDO and GeoJSON
        ["GET /api/v1/incidents/{id}/eido"] = new("The incident as a NENA EIDO (NENA-STA-021 JSON)",
            "Incident, location (PIDF-LO), agency, dispatch, emergencyResource and notes components; timeline notes only for console roles. " +
            "A merge is a mergeComponent on both sides: a merged incident names its survivor (REPLACED), a survivor each incident merged into it (REPLACING)."),
        ["POST /api/v1/eido"] = new("Create or update an incident from a NENA EIDO",
            "Accepts lastUpdateTimeStamp and lastUpdateTimestamp. The EIDO's tracking id is bound once per sender (201 on create, 200 on a " +
            "resubmission); a tracking id of one of our incidents updates its assessment figures.",
            """{"$id":"urn:emergency:uid:incidentid:7f3a:water.example.org","lastUpdateTimestamp":"2026-12-01T08:45:00+08:00","eidoVersion":"1.0","incidentComponent":{"$id":"i1","incidentTypeCommonRegistryText":"Flood","incidentTypeInternalText":"River bank seepage","locationReference":[{"$ref":"l1"}]},"locationComponent":[{"$id":"l1","locationTypeDescriptionRegistryText":"Incident","locationByValue":"<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" xmlns:gml=\"http://www.opengis.net/gml\"><gml:Point srsName=\"urn:ogc:def:crs:EPSG::4326\"><gml:pos>23.45 113.30</gml:pos></gml:Point></presence>"}]}"""),
        ["GET /api/v1/map/{layer}"] = new("A GeoJSON (RFC 7946) layer for maps",
            "Layers: incidents, teams, warehouses, shelters, risk-points, hazard-points. Point features with [lon, lat] and properties to style by (status, level, colour). Optional ?bbox=minLon,minLat,maxLon,maxLat. " +
            "The incidents layer leaves merged incidents (duplicates of their survivors) out unless ?status=Merged asks for them; ?status= filters it as it does GET /incidents."),

        // Partner agencies and webhooks
        ["GET /api/v1/agencies"] = new("The partner agency registry (admin)"),
        ["POST /api/v1/agencies"] = new("Register a partner agency (admin; 409 if the id exists)", "Ids are lower-case, start with a letter and may contain digits and dashes (e.g. police-110).",
            """{"id":"police-110","nameZh":"广州市公安局花都区分局","nameEn":"Huadu Public Security Sub-bureau","kind":"Police","contact":{"name":"Duty officer","phone":"+86 20 8686 0110"}}"""),
        ["GET /api/v1/agencies/{id}"] = new("One agency with its webhook endpoints (secrets never shown; an agency sees only itself)"),
        ["PUT /api/v1/agencies/{id}"] = new("Update an agency's names, kind and contact, or retire it (admin)",
            "\"active\": false retires the agency (its tokens get 401, its console connections close, its webhooks stop); true reinstates it; without it the agency stays as it was.",
            """{"id":"police-110","nameZh":"广州市公安局花都区分局","nameEn":"Huadu Public Security Sub-bureau","kind":"Police","contact":{"name":"Duty officer","phone":"+86 20 8686 0110","email":"duty@police.example.cn"}}"""),
        ["POST /api/v1/agencies/{id}/webhooks"] = new("Add a webhook endpoint subscribing to incident events (admin)",
            "Deliveries are signed: X-Huadu-Signature: sha256=HMAC-SHA256(secret, \"{X-Huadu-Timestamp}.{body}\").",
            """{"id":"main","url":"https://police.example.cn/huadu/events","events":["IncidentCreated","LevelChanged","StatusChanged","TeamsDispatched","ReliefAtRisk","ReliefBreached","IncidentClosed"],"secret":"0123456789abcdef0123456789abcdef"}"""),
        ["PUT /api/v1/agencies/{id}/webhooks/{webhookId}"] = new("Change a webhook endpoint: url, events, active, and a new secret to rotate it (admin)",
            "Its queue and dead letters are kept; the next attempt uses the new settings. Without a secret the one in force stays. "
            + "Switched off (active: false), it sends nothing and holds its queue, the events raised meanwhile included, until it is switched on.",
            """{"url":"https://police.example.cn/huadu/events-v2","events":["IncidentCreated","StatusChanged","IncidentClosed"],"active":true,"secret":"fedcba9876543210fedcba9876543210"}"""),
        ["DELETE /api/v1/agencies/{id}/webhooks/{webhookId}"] = new("Remove a webhook endpoint and its queue (admin)"),
        ["GET /api/v1/agencies/{id}/webhooks"] = new("An agency's webhook endpoints (secrets shown only as set and fingerprint)"),
        ["GET /api/v1/agencies/{id}/webhooks/{webhookId}"] = new("One webhook endpoint: url, events, active, secret fingerprint (where a new endpoint's Location points)"),
        ["GET /api/v1/agencies/{id}/webhooks/{webhookId}/deliveries"] = new("A webhook endpoint's delivery state: queued events, last attempts, circuit"),
        ["GET /api/v1/agencies/{id}/webhooks/{webhookId}/dead-letters"] = new("Events that failed every delivery attempt"),
        ["POST /api/v1/agencies/{id}/webhooks/{webhookId}/dead-letters/{eventId}/replay"] = new("Queue one dead letter again (the / in an event id as %2F)"),
        ["POST /api/v1/agencies/{id}/webhooks/{webhookId}/dead-letters/replay"] = new("Queue every dead letter again"),

        // Teams reporting
        ["POST /api/v1/teams/{id}/status"] = new("A team reports its status (a team token only for its own team)",
            "Out-of-order reports (older occurredAt) are recorded but do not overwrite newer status.",
            """{"status":"OnScene","position":{"lat":23.4042,"lon":113.2245},"note":"arrived"}"""),
        ["POST /api/v1/teams/{id}/position"] = new("A team reports its position", null, """{"lat":23.4042,"lon":113.2245}"""),

        // Relief
        ["GET /api/v1/relief/plan"] = new("The district relief plan: allocations, people covered by the 3-hour deadline, shortfalls with reasons and escalations"),
        ["POST /api/v1/relief/plan"] = new("Re-plan relief now (normally automatic on every change)"),
        ["GET /api/v1/shipments/{id}"] = new("One relief shipment"),
        ["POST /api/v1/shipments/{id}/status"] = new("Move a shipment: Planned → Loading → Departed → Delivered | Cancelled",
            "Delivered without received means everything planned arrived; short deliveries re-open the rest. With Cancelled, reason says why, " +
            "and avoidRoute: true keeps later plans from sending from this warehouse to the incident (a blocked road) until allowed again. " +
            "With Departed or Delivered, occurredAt (with its offset) says when it happened for a report made late; the 3-hour judgement counts it.",
            """{"status":"Delivered","received":[{"itemCode":"drinking-water","quantity":160}]}"""),
        ["POST /api/v1/incidents/{id}/relief/avoided-warehouses"] = new("Stop relief plans sending from a warehouse to this incident (a blocked route)",
            "Kept with who and when until a dispatcher allows the warehouse again; the next plan leaves the route out. 400 for an unknown warehouse, " +
            "404 when the incident has no relief demand. Cancelling a convoy with avoidRoute: true does the same for its warehouse.",
            """{"warehouseId":"WH-REG","reason":"Road to the village flooded at the Xinjie river bridge"}"""),
        ["DELETE /api/v1/incidents/{id}/relief/avoided-warehouses/{warehouseId}"] = new("Allow relief plans to send from a warehouse to this incident again"),
        ["POST /api/v1/incidents/{id}/relief/shelter-departures"] = new("People of a closed incident left a shelter: the places they held there are released",
            "Body {shelterId, people?}; without people, all of the incident's places at that shelter. A closed incident's people keep their " +
            "places (its response ended, not their stay) until this says they left. 409 for an open incident (its relocated figure places its people: " +
            "lower it), or a shelter where the incident holds no places; 400 when people is below 1 or more than the places it holds there."),
        ["GET /api/v1/kpi/relief"] = new("Relief KPIs per incident and district-wide: share relieved within 3 h, initial relief time, breaches, open shortfalls",
            "Optional ?since= (ISO 8601 with offset) keeps the incidents whose 3 h deadline is at or after it; 400 if it does not parse."),

        // Relief escalation
        ["POST /api/v1/warehouses/{id}/activation"] = new("Activate an enterprise agreement reserve (代储) for relief plans",
            "A reason is required (400). Only a warehouse of kind AgreementReserve can be activated, and an active one not again (409). " +
            "The activation (who, when, reason) is stored with the warehouse and shown on GET /warehouses/{id}; the coordinator re-plans " +
            "with the reserve and its own mobilisation time.",
            """{"reason":"plan 12 short of drinking water for INC-20260612-0042; activation agreed with the operator by phone"}"""),
        ["POST /api/v1/warehouses/{id}/deactivation"] = new("End an agreement reserve's activation (409 if it is not active)",
            "Plans leave the reserve out again from the next re-plan, which starts at once; shipments already loading or on the road are kept."),
        ["GET /api/v1/relief/requests/edxl-rm"] = new("The request to the city as one OASIS EDXL-RM 1.0 RequestResource message (application/xml)",
            "One ResourceInformation per open shortfall of the current plan that needs the city (StockShort, TooFar, NoTrucks; not KitIncomplete): " +
            "item, quantity and unit, the incident's position, RequestedArrival = the demand's deadline, and the reason. Optional ?incidentId= " +
            "restricts it to one incident (404 if there is no such incident)."),
        ["GET /api/v1/relief/alerts"] = new("Every relief alert of the tracked demands, newest first",
            "Kinds: Shortfall (escalation proposed), ShortfallCleared (nothing short any more), ShelterShort, ShelterFar, AtRisk, Met, Breached, ConvoyUnderWay (a withdrawn or merged relief's convoy loading or on the road); each with the incident id, text and time. Optional ?incidentId=, " +
            "and ?since= (ISO 8601 with offset: the alerts raised at or after it; 400 if it does not parse)."),
    };
}
