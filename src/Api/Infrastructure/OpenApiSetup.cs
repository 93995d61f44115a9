using System.Text.Json.Nodes;
using HuaduDispatch.Api.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace HuaduDispatch.Api;

/// <summary>
/// The OpenAPI 3.1 document at /openapi/v1.json and the browsable reference at /docs (both anonymous: they describe the
/// contract, not data). Every operation gets its summary from <see cref="ApiCatalogue"/>, the roles its policy admits, the
/// problem-details errors it can answer, the Idempotency-Key header on POSTs, and request examples.
/// </summary>
public static class OpenApiSetup
{
    public const string DocumentPath = "/openapi/v1.json";

    public static IServiceCollection AddDispatchOpenApi(this IServiceCollection services) =>
        services.AddOpenApi("v1", o =>
        {
            o.OpenApiVersion = OpenApiSpecVersion.OpenApi3_1;
            o.ShouldInclude = d => d.RelativePath?.StartsWith("api/v1", StringComparison.Ordinal) == true;
            o.AddDocumentTransformer((document, _, _) =>
            {
                Describe(document);
                return Task.CompletedTask;
            });
            o.AddDocumentTransformer((document, context, ct) => AddWebhook(document, context, ct));
            o.AddSchemaTransformer((schema, context, _) =>
            {
                // Strings are read through a converter of ours (BoundedStringConverter: the length limit and the NUL check),
                // which hides their type from the schema generator: say "string" (or string or null) again.
                if (context.JsonTypeInfo.Type == typeof(string) && schema.Type is null)
                    schema.Type = context.JsonPropertyInfo is { IsGetNullable: true } ? JsonSchemaType.String | JsonSchemaType.Null : JsonSchemaType.String;
                // Times too (OffsetDateTimeConverter, the offset rule): they had only "format": "date-time" until the twenty-ninth session.
                if (context.JsonTypeInfo.Type == typeof(DateTimeOffset) && schema.Type is null) schema.Type = JsonSchemaType.String;
                if (context.JsonTypeInfo.Type == typeof(DateTimeOffset?) && schema.Type is null) schema.Type = JsonSchemaType.String | JsonSchemaType.Null;
                // A list of strings read through our string converter had no item type ("type": "array" alone).
                if (typeof(IEnumerable<string>).IsAssignableFrom(context.JsonTypeInfo.Type) && context.JsonTypeInfo.Type != typeof(string) && schema.Items is null)
                    schema.Items = new OpenApiSchema { Type = JsonSchemaType.String };
                // (AgencyContact is only ever a property's type, so its schema is built with that property in hand.)
                if (context.JsonTypeInfo.Type == typeof(HuaduDispatch.Contracts.AgencyContact))
                    schema.Required = new HashSet<string>(StringComparer.Ordinal) { "name" };
                if (context.JsonPropertyInfo is { } r && r.DeclaringType == typeof(HuaduDispatch.Contracts.AgencyRequest))
                {
                    if (r.Name == "kind") schema.Enum = [.. Enum.GetNames<HuaduDispatch.Contracts.AgencyKind>().Select(n => (JsonNode)JsonValue.Create(n))];
                    if (r.Name == "id") schema.Description = "Required on POST (^[a-z][a-z0-9-]{1,63}$, not hex digits only); on PUT the path's id, and an id here must match it";
                }
                if (context.JsonPropertyInfo is { } h && h.DeclaringType == typeof(HuaduDispatch.Contracts.WebhookRequest))
                {
                    if (h.Name == "events")
                        schema.Items = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [.. Enum.GetNames<HuaduDispatch.Contracts.IncidentEventKind>().Select(n => (JsonNode)JsonValue.Create(n))] };
                    if (h.Name == "secret")
                    {
                        (schema.MinLength, schema.MaxLength) = (32, 256);
                        schema.Description = "Required on POST; on PUT a new secret rotates it, and without one the secret in force stays. Never returned.";
                    }
                }
                // A shortfall's reason is a string in the contract; its values are these.
                if (context.JsonPropertyInfo is { Name: "reason" } p && p.DeclaringType == typeof(HuaduDispatch.Contracts.ReliefShortfall))
                    schema.Enum = [.. new[] { "StockShort", "TooFar", "NoTrucks", "KitIncomplete" }.Select(v => (JsonNode)JsonValue.Create(v))];
                if (context.JsonPropertyInfo is { } q && q.DeclaringType == typeof(HuaduDispatch.Contracts.CreateIncident))
                {
                    if (q.Name == "externalId") schema.MaxLength = Dispatch.IncidentApi.MaxExternalIdLength;
                    if (q.Name == "source")
                    {
                        schema.MaxLength = Dispatch.IncidentApi.MaxSourceLength;
                        schema.Description = "console, hotline, huadu-dispatch or an agency id; required except from an agency token, whose agency it is";
                    }
                }
                if (context.JsonPropertyInfo is { Name: "reference" } refr && refr.DeclaringType == typeof(HuaduDispatch.Contracts.UpwardReportRequest))
                    schema.MaxLength = HuaduDispatch.Contracts.UpwardReportRequest.MaxReferenceLength;
                // One name, two meanings (the contract tester's L7, thirty-first session): say which.
                if (context.JsonPropertyInfo is { Name: "reportedAt" } rep)
                {
                    if (rep.DeclaringType == typeof(HuaduDispatch.Contracts.Incident))
                        schema.Description = "When the centre received the report (server time); occurredAt is when it happened";
                    else if (rep.DeclaringType == typeof(HuaduDispatch.Contracts.TimelineEntry))
                        schema.Description = "When the reporter says the change happened (a late radio report, a paper log), if it differs from at (server time)";
                }
                if (context.JsonPropertyInfo is { Name: "at" } at && at.DeclaringType == typeof(HuaduDispatch.Contracts.TimelineEntry))
                    schema.Description = "Server time the change was recorded";
                // Enums are written as their names (the contract tester's L8, thirty-first session: the enum schemas had no type).
                var type = context.JsonTypeInfo.Type;
                if ((Nullable.GetUnderlyingType(type) ?? type).IsEnum && schema.Type is null && schema.Enum is { Count: > 0 })
                    schema.Type = Nullable.GetUnderlyingType(type) is null ? JsonSchemaType.String : JsonSchemaType.String | JsonSchemaType.Null;
                // What the rules require of the request bodies (each missing field is a 400 naming it).
                if (context.JsonPropertyInfo is null && RequiredFields.TryGetValue(type, out var required))
                    schema.Required = new HashSet<string>(required, StringComparer.Ordinal);
                // What the answers always hold: every member that is never null (nulls are left out of the JSON, nothing else).
                if (context.JsonPropertyInfo is null && Answers.Contains(type))
                    schema.Required = new HashSet<string>((schema.Required ?? new HashSet<string>()).Concat(AlwaysPresent(context.JsonTypeInfo)), StringComparer.Ordinal);
                // The figures' limits (IncidentInputRules): 0 to 10,000,000 people, 0 to one trillion CNY.
                if (context.JsonPropertyInfo is { } f && (f.DeclaringType == typeof(HuaduDispatch.Contracts.Assessment) || f.DeclaringType == typeof(HuaduDispatch.Contracts.AssessmentUpdate)))
                {
                    if (f.Name == "directLossCny") (schema.Minimum, schema.Maximum) = ("0", "1000000000000");
                    else if (f.Name != "hazardousMaterials") (schema.Minimum, schema.Maximum) = ("0", "10000000");
                }
                return Task.CompletedTask;
            });
            o.AddOperationTransformer((operation, context, _) =>
            {
                var description = context.Description;
                var method = description.HttpMethod ?? "GET";
                var route = "/" + (description.RelativePath ?? "").TrimEnd('/');
                var metadata = description.ActionDescriptor.EndpointMetadata;
                if (ApiCatalogue.Find(method, route) is { } entry)
                {
                    operation.Summary = entry.Summary;
                    operation.Description = entry.Description;
                }
                operation.Tags = new HashSet<OpenApiTagReference> { new(ApiCatalogue.Tag(route), context.Document) };
                operation.OperationId ??= OperationId(method, route);
                DescribeParameters(operation, route);

                var policies = metadata.OfType<IAuthorizeData>().Select(a => a.Policy).OfType<string>().Distinct().ToList();
                if (policies.Count > 0)
                {
                    operation.Description = (operation.Description is { Length: > 0 } d ? d + "\n\n" : "") +
                        $"Who may call it: {string.Join("; ", policies.Select(Policies.Describe))}.";
                }
                operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", context.Document)] = [] }];

                var hasBody = description.ParameterDescriptions.Any(p => p.Source.Id == "Body");
                var hasId = route.Contains('{');
                operation.Responses ??= new OpenApiResponses();
                // Errors an endpoint declares itself (ProducesProblem) are the same problem documents as all the others: ASP.NET's
                // ProblemDetails schema forbids the traceId every answer carries (until the thirty-first session five relief
                // operations pointed at it, and strict clients refused their answers).
                foreach (var (status, declared) in operation.Responses.Where(r => r.Key[0] is '4' or '5').ToList())
                    operation.Responses[status] = new OpenApiResponse
                    {
                        Description = declared.Description is { Length: > 0 } d && d != "Bad Request" && d != "Not Found" && d != "Service Unavailable" ? d : ProblemDescription(status),
                        Content = new Dictionary<string, OpenApiMediaType>
                        {
                            ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference("Problem", context.Document) },
                        },
                    };
                AddProblem(operation, context, 400, hasBody ? "Invalid input: the problem's errors name each invalid field" : "An invalid query parameter");
                AddProblem(operation, context, 401, "No token, or the token is not valid (signature, issuer, audience, lifetime), or an agency token whose agency is not registered or is retired");
                AddProblem(operation, context, 403, "The token's role may not call this, or a team/agency acts for another");
                if (hasId) AddProblem(operation, context, 404, "Unknown id (or an incident the agency may not see)");
                if (!hasId && description.ParameterDescriptions.Any(p => p.Name == "incidentId"))
                    AddProblem(operation, context, 404, "No incident has the incidentId given");
                if (method is "POST" or "PUT" or "DELETE")
                {
                    AddProblem(operation, context, 503, "A fault a retry can get past (the database, a node leaving, a concurrent write); see Retry-After, and retry with the same Idempotency-Key to have the change apply once");
                    SetHeaders(operation, "503", RetryAfter());
                }
                else
                {
                    AddProblem(operation, context, 503, "A fault a retry can get past (the database, a node leaving); see Retry-After");
                    SetHeaders(operation, "503", RetryAfter());
                }
                if (method is "POST" or "PUT" or "DELETE") AddProblem(operation, context, 409, "The change is not allowed in the current state; the detail says why");
                if (route == "/api/v1/response-plans")
                {
                    // The plans' version: the ETag of both answers, and the If-Match a PUT may send.
                    if (method == "PUT")
                    {
                        AddProblem(operation, context, 412, "If-Match names a version of the plans that is no longer in force; the detail names the one in force");
                        operation.Parameters ??= [];
                        operation.Parameters.Add(new OpenApiParameter
                        {
                            Name = "If-Match", In = ParameterLocation.Header, Required = false,
                            Description = "The ETag a GET answered (\"3\"): the plans are replaced only if that version is still in force.",
                            Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                        });
                    }
                    if (operation.Responses.TryGetValue("200", out var plans) && plans is OpenApiResponse okPlans)
                    {
                        okPlans.Headers ??= new Dictionary<string, IOpenApiHeader>();
                        okPlans.Headers["ETag"] = new OpenApiHeader { Description = "The plans' version (\"0\" for the shipped set)", Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
                    }
                }
                if (hasBody)
                {
                    AddProblem(operation, context, 413, "The body is larger than the configured limit");
                    AddProblem(operation, context, 415, "The body is not application/json");
                }
                if (method == "POST")
                {
                    AddProblem(operation, context, 422, "The Idempotency-Key was used before with a different request");
                    operation.Parameters ??= [];
                    operation.Parameters.Add(new OpenApiParameter
                    {
                        Name = IdempotencyMiddleware.Header, In = ParameterLocation.Header, Required = false,
                        Description = "Any unique value (a UUID). A retry with the same key and body replays the first response (header Idempotent-Replayed: true); the same key with a different body is a 422. Keys are kept 24 hours and survive restarts in PostgreSQL mode.",
                        Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 255 },
                    });
                }
                AddProblem(operation, context, 429, "Too many requests from this client; see Retry-After");
                SetHeaders(operation, "429", RetryAfter());
                SetHeaders(operation, "409", RetryAfter("Only when the first request with this Idempotency-Key is still running: seconds to wait"));
                foreach (var (status, response) in operation.Responses.Where(r => r.Key.StartsWith('2')))
                {
                    if (response is not OpenApiResponse ok) continue;
                    ok.Headers ??= new Dictionary<string, IOpenApiHeader>();
                    if (status == "201" || (method == "POST" && route is "/api/v1/incidents" or "/api/v1/eido"))
                        ok.Headers["Location"] = new OpenApiHeader { Description = "Where the incident (or the record created) is", Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
                    if (method == "POST")
                        ok.Headers["Idempotent-Replayed"] = new OpenApiHeader { Description = "true when this is the stored answer to an earlier request with the same Idempotency-Key", Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
                }

                if (hasBody && ApiCatalogue.Find(method, route)?.Example is { } example &&
                    operation.RequestBody?.Content is { } content && content.TryGetValue("application/json", out var media))
                {
                    // An example with "$ref" members (an EIDO links its components so) is shown in the description instead: JSON
                    // reference resolvers walk examples too, and until the thirty-first session swagger-parser and
                    // openapi-ts failed on the document trying to fetch "l1" (the contract tester's M1).
                    var parsed = JsonNode.Parse(example);
                    if (HasReferenceMember(parsed))
                        operation.Description = (operation.Description is { Length: > 0 } d ? d + "\n\n" : "") +
                            "Example request (given here, not as the body's example: its \"$ref\" members would be read as JSON references by OpenAPI tools):\n\n```json\n" +
                            example + "\n```";
                    else media.Example = parsed;
                }
                return Task.CompletedTask;
            });
        });

    /// <summary>The document's title and description, the bearer scheme, and the problem-details schema.</summary>
    /// <summary>
    /// The request bodies' fields the server requires (a 400 naming the field when one is missing), so that generated clients do
    /// not make them optional. A report's <c>source</c> is required too, except from an agency token (its agency is the source):
    /// its description says so. The registry's bodies as the agency rules require them (AgencyRules).
    /// </summary>
    private static readonly Dictionary<Type, string[]> RequiredFields = new()
    {
        [typeof(HuaduDispatch.Contracts.CreateIncident)] = ["type", "title", "location", "occurredAt"],
        [typeof(HuaduDispatch.Contracts.AgencyRequest)] = ["nameZh", "nameEn", "kind", "contact"],
        [typeof(HuaduDispatch.Contracts.WebhookRequest)] = ["url", "events"],
        [typeof(HuaduDispatch.Contracts.ShareRequest)] = ["agencyIds"],
        [typeof(HuaduDispatch.Contracts.TransitionRequest)] = ["to", "reason"],
        [typeof(HuaduDispatch.Contracts.ResponseLevelRequest)] = ["level", "reason"],
        [typeof(HuaduDispatch.Contracts.DispatchRequest)] = ["teamIds"],
        [typeof(HuaduDispatch.Contracts.TeamStatusReport)] = ["status"],
        [typeof(HuaduDispatch.Contracts.ShipmentStatusRequest)] = ["status"],
        [typeof(HuaduDispatch.Contracts.IssueTaskRequest)] = ["teamId", "title"],
        [typeof(HuaduDispatch.Contracts.TaskUpdateRequest)] = ["status"],
        [typeof(HuaduDispatch.Contracts.SitRepRequest)] = ["kind", "text"],
        [typeof(HuaduDispatch.Contracts.StockMovementRequest)] = ["itemCode", "quantity", "kind", "reason"],
        [typeof(HuaduDispatch.Contracts.AvoidWarehouseRequest)] = ["warehouseId"],
        [typeof(HuaduDispatch.Contracts.ShelterDepartureRequest)] = ["shelterId"],
        [typeof(HuaduDispatch.Contracts.TeamPositionReport)] = ["lat", "lon"],
    };

    /// <summary>
    /// The types only answers carry (never a request body, where the server's rules say what is required: <see cref="RequiredFields"/>).
    /// Their schemas mark required every member that is never null: the JSON leaves out nulls only, so a generated client can
    /// rely on the others (a partner tester's finding, thirty-second session: <c>sharedWith</c>, a task's <c>alerts</c> or a
    /// relief's <c>withdrawn</c> read as optional).
    /// </summary>
    private static readonly HashSet<Type> Answers =
    [
        typeof(HuaduDispatch.Contracts.Incident), typeof(HuaduDispatch.Contracts.IncidentTeam), typeof(HuaduDispatch.Contracts.LevelProposal),
        typeof(HuaduDispatch.Contracts.UpwardReportStatus), typeof(HuaduDispatch.Contracts.IncidentSummary), typeof(HuaduDispatch.Contracts.TimelineEntry),
        typeof(HuaduDispatch.Contracts.Assessment), typeof(HuaduDispatch.Contracts.DispatchTask), typeof(HuaduDispatch.Contracts.SitRep),
        typeof(HuaduDispatch.Contracts.CommandPost), typeof(HuaduDispatch.Contracts.RescueTeam), typeof(HuaduDispatch.Contracts.TeamPosition),
        typeof(HuaduDispatch.Contracts.IncidentRelief), typeof(HuaduDispatch.Contracts.Shipment), typeof(HuaduDispatch.Contracts.ReliefNeed),
        typeof(HuaduDispatch.Contracts.ReliefShortfall), typeof(HuaduDispatch.Contracts.ReliefAllocationView), typeof(HuaduDispatch.Contracts.ReliefPlan),
        typeof(HuaduDispatch.Contracts.ReliefKpi), typeof(HuaduDispatch.Contracts.IncidentReliefKpi), typeof(HuaduDispatch.Contracts.ReliefAlert),
        typeof(HuaduDispatch.Contracts.AvoidedWarehouse), typeof(HuaduDispatch.Contracts.ShelterLive), typeof(HuaduDispatch.Contracts.Warehouse),
        typeof(HuaduDispatch.Contracts.StockLevel), typeof(HuaduDispatch.Contracts.StockMovement), typeof(HuaduDispatch.Contracts.Agency),
        typeof(HuaduDispatch.Contracts.WebhookEndpoint), typeof(HuaduDispatch.Contracts.DeadLetterView), typeof(HuaduDispatch.Contracts.WebhookDeliveryStatus),
        typeof(HuaduDispatch.Contracts.ReplayResult), typeof(HuaduDispatch.Contracts.IncidentRecommendation), typeof(HuaduDispatch.Contracts.ModuleRecommendation),
        typeof(HuaduDispatch.Contracts.RecommendedTeam), typeof(HuaduDispatch.Contracts.UnfilledModule),
    ];

    private static readonly System.Reflection.NullabilityInfoContext Nullability = new();

    /// <summary>The JSON names of the members of an answer that are never null (value types, and reference types not marked nullable).</summary>
    private static IEnumerable<string> AlwaysPresent(System.Text.Json.Serialization.Metadata.JsonTypeInfo info)
    {
        foreach (var property in info.Properties)
        {
            var type = property.PropertyType;
            if (type.IsValueType)
            {
                if (Nullable.GetUnderlyingType(type) is null) yield return property.Name;
                continue;
            }
            if (property.AttributeProvider is System.Reflection.PropertyInfo member)
            {
                lock (Nullability)
                    if (Nullability.Create(member).ReadState != System.Reflection.NullabilityState.NotNull) continue;
                yield return property.Name;
            }
        }
    }

    /// <summary>The values the filters of the lists and the map take (each other value is a 400 that lists these).</summary>
    private static readonly Dictionary<(string Route, string Name), string[]> ParameterValues = new()
    {
        [("/api/v1/incidents", "status")] = Enum.GetNames<HuaduDispatch.Contracts.IncidentStatus>(),
        [("/api/v1/incidents", "level")] = Enum.GetNames<HuaduDispatch.Contracts.ResponseLevel>(),
        [("/api/v1/incidents", "type")] = Enum.GetNames<HuaduDispatch.Contracts.IncidentType>(),
        [("/api/v1/teams", "level")] = Enum.GetNames<HuaduDispatch.Contracts.TeamLevel>(),
        [("/api/v1/teams", "capability")] = Enum.GetNames<HuaduDispatch.Contracts.Capability>(),
        [("/api/v1/teams", "status")] = Enum.GetNames<HuaduDispatch.Contracts.TeamStatus>(),
        [("/api/v1/warehouses", "kind")] = Enum.GetNames<HuaduDispatch.Contracts.WarehouseKind>(),
        [("/api/v1/risk-points", "colour")] = Enum.GetNames<HuaduDispatch.Contracts.RiskColour>(),
        [("/api/v1/risk-points", "kind")] = Enum.GetNames<HuaduDispatch.Contracts.RiskKind>(),
        [("/api/v1/hazard-points", "kind")] = Enum.GetNames<HuaduDispatch.Contracts.HazardKind>(),
        [("/api/v1/map/{layer}", "layer")] = [.. Standards.GeoJson.GeoJsonBuilder.Layers],
        [("/api/v1/map/{layer}", "status")] = Enum.GetNames<HuaduDispatch.Contracts.IncidentStatus>(),
    };

    /// <summary>
    /// The query filters' values and the instants' format in the parameters (until the thirty-second session they were plain
    /// strings, although the server checks each against a fixed list: the contract tester's L8).
    /// </summary>
    private static void DescribeParameters(OpenApiOperation operation, string route)
    {
        foreach (var parameter in (operation.Parameters ?? []).OfType<OpenApiParameter>())
        {
            if (parameter.Name is { } name && ParameterValues.TryGetValue((route, name), out var values))
            {
                parameter.Schema = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [.. values.Select(v => (JsonNode)JsonValue.Create(v))] };
                parameter.Description ??= "One of the values listed (exactly as written); leave it out for all.";
            }
            else if (parameter.Name == "since")
            {
                parameter.Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time" };
                parameter.Description ??= "An instant, ISO 8601 with its offset (2026-12-06T18:00:00+08:00); 400 if it does not parse.";
            }
        }
    }

    /// <summary>
    /// A stable operation id from the method and the path after /api/v1: <c>getIncidents</c>, <c>postIncidentsByIdTransitions</c>,
    /// <c>deleteIncidentsByIdReliefAvoidedWarehousesByWarehouseId</c>. Before the thirty-second session operations had none, and
    /// generators made up their own names from the whole path.
    /// </summary>
    public static string OperationId(string method, string route)
    {
        var name = new System.Text.StringBuilder(method.ToLowerInvariant());
        foreach (var segment in route.Split('/', StringSplitOptions.RemoveEmptyEntries).Skip(2))
        {
            var parameter = segment.StartsWith('{');
            if (parameter) name.Append("By");
            foreach (var word in segment.Trim('{', '}').Split('-', '.', '_'))
                if (word.Length > 0) name.Append(char.ToUpperInvariant(word[0])).Append(word[1..]);
        }
        return name.ToString();
    }

    private static void Describe(OpenApiDocument document)
    {
        document.Info = new OpenApiInfo
        {
            Title = "HuaduDispatch API",
            Version = "v1",
            Description = "Incident dispatch and coordination for the Huadu District emergency command centre: incidents, rescue " +
                "teams, warehouses, relief logistics, shelters and partner-agency exchange. Every request needs a bearer JWT " +
                "(see the README for roles). Errors are RFC 9457 problem details. Every POST accepts an Idempotency-Key.",
        };
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http, Scheme = "bearer", BearerFormat = "JWT",
            Description = "A token from `dotnet run --project src/Silo -- token --role <role>` (roles: dispatcher, commander, team, agency, viewer, admin).",
        };
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas["Problem"] = ProblemSchema();
    }

    /// <summary>The name of the webhook in the document's <c>webhooks</c> object (OpenAPI 3.1): what the node POSTs to an agency's URL.</summary>
    public const string WebhookName = "incidentEvent";

    /// <summary>
    /// The webhook delivery as the document's <c>webhooks</c> entry, so that a partner's generator gets the payload type and the
    /// signature headers (before the twenty-ninth session only this README described it).
    /// </summary>
    private static async Task AddWebhook(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken ct)
    {
        var payload = await context.GetOrCreateSchemaAsync(typeof(HuaduDispatch.Contracts.WebhookPayload), null, ct);
        if (payload.Properties?.TryGetValue("type", out var type) == true && type is OpenApiSchema kind)
        {
            kind.Enum = [.. Enum.GetNames<HuaduDispatch.Contracts.IncidentEventKind>().Select(n => (JsonNode)JsonValue.Create(n))];
            kind.Description = "The event kind, one of those the endpoint subscribed to";
        }
        // The incident as the API's other answers give it, not a copy of its schema.
        if (payload.Properties is { } properties && document.Components?.Schemas?.ContainsKey("Incident") == true)
            properties["incident"] = new OpenApiSchemaReference("Incident", document);
        payload.Description = "One event of one incident. Delivered at least once: deduplicate by eventId, or keep the highest sequence per incident.";
        document.Components!.Schemas!["WebhookPayload"] = payload;
        // The console hub's plan brief has no REST operation of its own: its schema is here for console vendors (it was not,
        // and one who read its counts as the REST plan's arrays of the same names could not deserialize it: the contract
        // tester's L5, thirty-first session).
        var brief = await context.GetOrCreateSchemaAsync(typeof(HuaduDispatch.Contracts.ReliefPlanSummary), null, ct);
        brief.Description = "The district scope's reliefPlan entity (SignalR /hubs/dispatch snapshots and deltas): the plan in brief. " +
            "Its shortfalls, escalations and trucksInUse are counts, where GET /api/v1/relief/plan has lists of those names.";
        document.Components.Schemas["ReliefPlanSummary"] = brief;

        OpenApiParameter Header(string name, string description, JsonSchemaType type = JsonSchemaType.String, bool required = true) => new()
        {
            Name = name, In = ParameterLocation.Header, Required = required, Description = description, Schema = new OpenApiSchema { Type = type },
        };
        document.Webhooks ??= new Dictionary<string, IOpenApiPathItem>();
        document.Webhooks[WebhookName] = new OpenApiPathItem
        {
            Operations = new Dictionary<HttpMethod, OpenApiOperation>
            {
                [HttpMethod.Post] = new()
                {
                    OperationId = "deliverIncidentEvent",
                    Summary = "An incident event, POSTed to each active endpoint of each recipient agency subscribed to its kind",
                    Description = "Recipients are the incident's source agency and the agencies it is shared with. Each attempt is signed: " +
                        "X-Huadu-Signature is sha256= and the lowercase hex HMAC-SHA256, keyed with the endpoint's secret (UTF-8), of " +
                        "\"{X-Huadu-Timestamp}.{raw body}\". Verify it over the raw bytes, in constant time, and refuse old timestamps. " +
                        "Redirects are not followed. A 5xx, 408 or 429 answer, or none within the attempt timeout, is retried with backoff, " +
                        "then kept as a dead letter the agency can replay; any other answer (another 4xx, a 3xx) is final at once: the event " +
                        "is a dead letter after that one attempt.",
                    Parameters =
                    [
                        Header(HuaduDispatch.Contracts.WebhookHeaders.EventId, "The event id, {incidentId}/{sequence}: the same on every retry and replay"),
                        Header(HuaduDispatch.Contracts.WebhookHeaders.EventType, "The event kind (the body's type)"),
                        Header(HuaduDispatch.Contracts.WebhookHeaders.Timestamp, "Unix seconds of this attempt (set on every attempt)", JsonSchemaType.Integer),
                        Header(HuaduDispatch.Contracts.WebhookHeaders.Signature, "sha256={hex HMAC-SHA256 of \"{timestamp}.{raw body}\"}"),
                        Header(HuaduDispatch.Contracts.WebhookHeaders.PreviousSignature, "Only for a while after the endpoint's secret was rotated: the same signature made with the secret replaced. Accept a delivery whose X-Huadu-Signature or X-Huadu-Signature-Previous matches a secret you hold", required: false),
                    ],
                    RequestBody = new OpenApiRequestBody
                    {
                        Required = true,
                        Content = new Dictionary<string, OpenApiMediaType>
                        {
                            ["application/json"] = new() { Schema = new OpenApiSchemaReference("WebhookPayload", document) },
                        },
                    },
                    Responses = new OpenApiResponses
                    {
                        ["2XX"] = new OpenApiResponse { Description = "Delivered: any 2xx answer" },
                        ["408"] = new OpenApiResponse { Description = "A failed attempt, retried" },
                        ["429"] = new OpenApiResponse { Description = "A failed attempt, retried" },
                        ["5XX"] = new OpenApiResponse { Description = "A failed attempt, retried; so is no answer within the attempt timeout" },
                        ["default"] = new OpenApiResponse { Description = "Any other answer (a 3xx, another 4xx) is final: the event becomes a dead letter at once, to be replayed" },
                    },
                },
            },
        };
    }

    public static IEndpointRouteBuilder MapDispatchOpenApi(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi(DocumentPath).AllowAnonymous();
        return app;
    }

    private static void SetHeaders(OpenApiOperation operation, string status, Dictionary<string, IOpenApiHeader> headers)
    {
        if (operation.Responses!.TryGetValue(status, out var response) && response is OpenApiResponse r) r.Headers = headers;
    }

    private static Dictionary<string, IOpenApiHeader> RetryAfter(string description = "Seconds to wait before retrying") => new()
    {
        ["Retry-After"] = new OpenApiHeader { Description = description, Schema = new OpenApiSchema { Type = JsonSchemaType.Integer } },
    };

    /// <summary>Whether the JSON has an object member named "$ref" anywhere.</summary>
    public static bool HasReferenceMember(JsonNode? node) => node switch
    {
        JsonObject o => o.Any(m => m.Key == "$ref" || HasReferenceMember(m.Value)),
        JsonArray a => a.Any(HasReferenceMember),
        _ => false,
    };

    private static string ProblemDescription(string status) => status switch
    {
        "400" => "Invalid input: the problem's errors name each invalid field",
        "404" => "Not found; the detail says what",
        "503" => "A fault a retry can get past (the database, a node leaving); see Retry-After",
        _ => "A problem; the detail says why",
    };

    private static void AddProblem(OpenApiOperation operation, OpenApiOperationTransformerContext context, int status, string description)
    {
        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (operation.Responses!.ContainsKey(key)) return;
        operation.Responses[key] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference("Problem", context.Document) },
            },
        };
    }

    private static OpenApiSchema ProblemSchema() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "RFC 9457 problem details",
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["type"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["title"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer },
            ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["instance"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["errors"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object, Description = "Field name -> what is wrong with it (400 only)",
                AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
            },
        },
        Examples = [JsonNode.Parse("""{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"Invalid request","status":400,"detail":"title is required","errors":{"title":["title is required"]}}""")!],
    };
}
