using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using HuaduDispatch.Contracts;
using HuaduDispatch.IntegrationTests.Infrastructure;

namespace HuaduDispatch.IntegrationTests;

/// <summary>
/// Thousands of malformed bodies to every POST and PUT, generated from the OpenAPI document's request schemas with a fixed seed:
/// broken JSON, wrong root types, every known field with a value of the wrong type, out-of-range numbers, over-long strings,
/// too-deep nesting and unknown fields. Every answer must be a 4xx problem-details document, and nothing stored may change.
/// </summary>
public abstract class FuzzTests : IAsyncLifetime
{
    private const int BodiesPerEndpoint = 120;
    private DispatchNode _node = null!;
    private HttpClient _admin = null!;
    private string _incidentId = "";
    private string _taskId = "";
    private string _warehouseId = "";
    private string _shelterId = "";

    /// <summary>The node under test: embedded, or on PostgreSQL where storage keys and rows have limits of their own.</summary>
    protected abstract Task<DispatchNode> StartNode();

    public async Task InitializeAsync()
    {
        _node = await StartNode();
        _admin = _node.ClientAs(Roles.Admin);
        await _node.RegisterAgenciesAsync("police-110");
        var created = await _admin.PostAsJsonAsync("/api/v1/incidents", new
        {
            type = "Landslide", title = "Fuzz target", location = new { lat = 23.452, lon = 113.305 },
            occurredAt = DateTimeOffset.UtcNow.AddMinutes(-5), source = "console", assessment = new { trapped = 2, affected = 30 },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        _incidentId = (await created.Content.ReadFromJsonAsync<Incident>(DispatchJson.Options))!.Id;
        Assert.Equal(HttpStatusCode.OK, (await _admin.PostAsJsonAsync($"/api/v1/incidents/{_incidentId}/dispatches", new { teamIds = new[] { "D01" } })).StatusCode);
        _taskId = (await _admin.GetOk<List<DispatchTask>>($"/api/v1/incidents/{_incidentId}/tasks"))[0].Id;
        _warehouseId = (await _admin.GetOk<List<Warehouse>>("/api/v1/warehouses"))[0].Id;
        _shelterId = (await _admin.GetOk<List<Shelter>>("/api/v1/shelters"))[0].Id;
    }

    public async Task DisposeAsync() => await _node.DisposeAsync();

    private string Fill(string route) => route
        .Replace("{id}/teams/{teamId}", $"{_incidentId}/teams/D01")
        .Replace("/incidents/{id}", $"/incidents/{_incidentId}")
        .Replace("{taskId}", _taskId)
        .Replace("/teams/{id}", "/teams/D01")
        .Replace("/warehouses/{id}", $"/warehouses/{_warehouseId}")
        .Replace("/shelters/{id}", $"/shelters/{_shelterId}")
        .Replace("/agencies/{id}", "/agencies/police-110") // the agency of the examples, once POST /agencies has made it
        .Replace("{webhookId}", "main")
        .Replace("{id}", "SHP-FUZZ");

    /// <summary>Everything a malformed request could have changed, read back as JSON text.</summary>
    private async Task<string> Snapshot()
    {
        var parts = new List<string>();
        foreach (var path in new[]
        {
            "/api/v1/incidents", $"/api/v1/incidents/{_incidentId}", $"/api/v1/incidents/{_incidentId}/tasks", $"/api/v1/incidents/{_incidentId}/timeline",
            $"/api/v1/incidents/{_incidentId}/relief", "/api/v1/teams", "/api/v1/warehouses", $"/api/v1/warehouses/{_warehouseId}/stock-movements",
            "/api/v1/shelters", "/api/v1/response-plans", "/api/v1/reference-data", "/api/v1/kpi/relief", "/api/v1/agencies",
        })
        {
            var response = await _admin.GetAsync(path);
            parts.Add($"{path} {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        return string.Join("\n", parts);
    }

    [Fact]
    public async Task Malformed_bodies_to_every_post_and_put_are_4xx_problems_and_change_nothing()
    {
        var doc = JsonNode.Parse(await _node.Http.GetStringAsync("/openapi/v1.json"))!;
        var schemas = doc["components"]?["schemas"]?.AsObject();
        var targets = new List<(string Method, string Route, JsonObject? Schema)>();
        foreach (var (route, item) in doc["paths"]!.AsObject())
        {
            foreach (var method in new[] { "post", "put" })
            {
                if (item![method] is not { } op) continue;
                var schema = op["requestBody"]?["content"]?["application/json"]?["schema"] as JsonObject;
                if (op["requestBody"] is null) continue; // no body to fuzz (e.g. POST /relief/plan)
                targets.Add((method.ToUpperInvariant(), route, Resolve(schema, schemas)));
            }
        }
        Assert.True(targets.Count >= 18, $"only {targets.Count} endpoints with a body in the OpenAPI document: {string.Join(", ", targets.Select(t => t.Route))}");
        Assert.Contains(targets, t => t.Route == "/api/v1/eido");

        // The setup incident's relief is planned after its report (a debounce, then a solve of up to seconds on a busy machine),
        // and the plan changes the relief, the warehouses' reservations and the KPI read below. Wait until the plan for it is in
        // force (and so listed in its relief: the coordinator applies a plan to the demands before it keeps it), then let the
        // setup's one-way pushes settle, so that the snapshot is not taken before the plan and compared with one taken after it.
        await _admin.WaitForReliefPlan(p => p.Allocations.Any(a => a.IncidentId == _incidentId));
        await Task.Delay(500);
        var before = await Snapshot();
        var random = new Random(20261129);
        var failures = new List<string>();
        var sent = 0;
        foreach (var (method, route, schema) in targets)
        {
            for (var i = 0; i < BodiesPerEndpoint; i++)
            {
                var body = MalformedBody(random, schema, schemas);
                var request = new HttpRequestMessage(new HttpMethod(method), Fill(route)) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
                if (random.Next(4) == 0) request.Headers.Add("Idempotency-Key", $"fuzz-{random.Next(20)}");
                var response = await _admin.SendAsync(request);
                sent++;
                var status = (int)response.StatusCode;
                var type = response.Content.Headers.ContentType?.MediaType;
                if (status is < 400 or >= 500 || type != "application/problem+json")
                {
                    failures.Add($"{method} {route} <- {Shorten(body)}: {status} {type} {Shorten(await response.Content.ReadAsStringAsync())}");
                }
            }
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {sent} answers were not 4xx problem details:\n" + string.Join("\n", failures.Take(30)));
        Assert.True(sent >= 2000, $"only {sent} bodies sent");
        var after = await Snapshot();
        Assert.Equal(before, after);
    }

    /// <summary>
    /// Bodies that are well formed and well typed but hold extreme values: the documented example of each POST and PUT (its
    /// dates moved to now, so that it is valid today) with one value at a time replaced by the largest or smallest whole number,
    /// a number beyond every range, zero, an empty or over-long string, or the first or last instant a date can hold; and the
    /// example with every number at int.MaxValue, sent twice. Some are accepted. Neither the answers nor any read afterwards
    /// (every GET route, for every incident, shipment and agency there is then) may be a 500. Reports and EIDOs are also sent
    /// with an agency's token, and every read is made with it too.
    /// </summary>
    [Fact]
    public async Task Well_typed_extreme_values_never_cause_a_500_on_the_write_or_on_any_read_afterwards()
    {
        var doc = JsonNode.Parse(await _node.Http.GetStringAsync("/openapi/v1.json"))!;
        // The examples name a convoy and an item that do not exist here; a real convoy of the setup incident's relief plan and
        // one of its items take their place, so that the values reach the convoy's and the warehouse's own rules.
        JsonNode? allocation = null;
        for (var wait = 0; wait < 100 && allocation is null; wait++)
        {
            var plan = await _admin.GetAsync("/api/v1/relief/plan"); // 404 until the first plan is made
            if (plan.IsSuccessStatusCode) allocation = JsonNode.Parse(await plan.Content.ReadAsStringAsync())?["allocations"]?.AsArray().FirstOrDefault();
            if (allocation is null) await Task.Delay(100);
        }
        Assert.NotNull(allocation);
        var shipmentId = allocation["shipmentId"]!.GetValue<string>();
        var itemCode = allocation["itemCode"]!.GetValue<string>();
        // A partner agency's token too, where an agency may write (its reports and EIDOs, as itself) and for every read.
        var agency = _node.ClientAs(Roles.Agency, agencyId: "police-110");
        var failures = new List<string>();
        var sent = 0;
        async Task Send(string method, string route, string body)
        {
            var path = Fill(route).Replace("SHP-FUZZ", shipmentId, StringComparison.Ordinal);
            HttpClient[] clients = method == "POST" && route is "/api/v1/incidents" or "/api/v1/eido" ? [_admin, agency] : [_admin];
            foreach (var client in clients)
                await SendAs(client, method, route, path, body);
        }
        async Task SendAs(HttpClient client, string method, string route, string path, string body)
        {
            var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
            sent++;
            var status = (int)response.StatusCode;
            if (status >= 500 || (status >= 400 && response.Content.Headers.ContentType?.MediaType != "application/problem+json"))
                failures.Add($"{(client == agency ? "agency" : "admin")} {method} {route} <- {Ends(body)}: {status} {Shorten(await response.Content.ReadAsStringAsync())}");
        }
        var now = DateTimeOffset.UtcNow;
        var random = new Random(20261204);
        foreach (var (route, item) in doc["paths"]!.AsObject())
        {
            foreach (var method in new[] { "post", "put" })
            {
                // The documented example; one the document gives in the description instead (the EIDO's, for its "$ref"
                // members) from the catalogue it comes from.
                if (item![method]?["requestBody"] is null) continue;
                var example = item[method]?["requestBody"]?["content"]?["application/json"]?["example"]
                    ?? (HuaduDispatch.Api.ApiCatalogue.Find(method, route)?.Example is { } text ? JsonNode.Parse(text) : null);
                if (example is null) continue;
                var valid = example.DeepClone();
                foreach (var leaf in Leaves(valid))
                {
                    if (leaf.GetValueKind() == JsonValueKind.String && DateTimeOffset.TryParse(leaf.GetValue<string>(), out _))
                        Replace(leaf, (leaf.GetPath().EndsWith("dueAt", StringComparison.Ordinal) ? now.AddHours(2) : now.AddMinutes(-10)).ToString("O"));
                    else if (leaf.GetValueKind() == JsonValueKind.String && leaf.GetValue<string>() == "WATER") Replace(leaf, itemCode);
                }
                var leafCount = Leaves(valid).Count;
                for (var i = 0; i < leafCount; i++)
                {
                    var kind = Leaves(valid)[i].GetValueKind();
                    var isDate = kind == JsonValueKind.String && DateTimeOffset.TryParse(Leaves(valid)[i].GetValue<string>(), out _);
                    JsonNode?[] extremes = kind switch
                    {
                        JsonValueKind.Number => [int.MaxValue, int.MinValue, -1, 0, JsonNode.Parse("1e308"), JsonNode.Parse("79228162514264337593543950335"), JsonNode.Parse("5e-324")],
                        JsonValueKind.String when isDate => ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "1970-01-01T00:00:00Z", "0001-01-01T00:00:00+08:00"],
                        JsonValueKind.String => ["", " ", Incompressible(random, 4000), "\u0000", "INC-0"],
                        JsonValueKind.True or JsonValueKind.False => [false, true],
                        _ => [],
                    };
                    foreach (var extreme in extremes)
                    {
                        var body = valid.DeepClone();
                        Replace(Leaves(body)[i], extreme);
                        await Send(method.ToUpperInvariant(), route, body.ToJsonString());
                    }
                }
                var largest = valid.DeepClone();
                foreach (var leaf in Leaves(largest).Where(l => l.GetValueKind() == JsonValueKind.Number)) Replace(leaf, int.MaxValue);
                for (var twice = 0; twice < 2; twice++) await Send(method.ToUpperInvariant(), route, largest.ToJsonString());
            }
        }
        Assert.True(sent >= 300, $"only {sent} bodies sent");
        await Task.Delay(1000); // the re-plans and pushes the accepted changes asked for

        var incidents = (await _admin.GetOk<List<IncidentSummary>>("/api/v1/incidents")).Select(i => i.Id).Append(_incidentId).Distinct().ToList();
        var shipments = (await _admin.GetFromJsonAsync<JsonNode>("/api/v1/relief/plan"))?["allocations"]?.AsArray()
            .Select(a => a!["shipmentId"]?.GetValue<string>()).OfType<string>().Distinct().ToList() ?? [];
        var agencies = (await _admin.GetOk<List<JsonNode>>("/api/v1/agencies")).Select(a => a["id"]!.GetValue<string>()).ToList();
        // Each query parameter a route declares, one at a time, at an extreme: a NUL character, 300 random characters, a
        // negative number, the first and last instants, numbers beyond every range.
        string[] extremeQueries = ["%00", Uri.EscapeDataString(Incompressible(random, 300)), "-1", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
            "-180,-90,180,90", "1e308,1e308,1e308,1e308", "true%00"];
        var reads = 0;
        foreach (var (route, item) in doc["paths"]!.AsObject())
        {
            if (item!["get"] is null) continue;
            IEnumerable<string> paths = route.Contains("/incidents/{id}") ? incidents.Select(id => route.Replace("{id}", id))
                : route.Contains("/shipments/{id}") ? shipments.Select(id => route.Replace("{id}", id))
                : route.Contains("/agencies/{id}") ? agencies.Select(id => route.Replace("{id}", id).Replace("{webhookId}", "main"))
                : route.Contains("/map/{layer}") ? new[] { "incidents", "teams", "warehouses", "shelters", "risk-points", "hazard-points" }.Select(l => route.Replace("{layer}", l))
                : [Fill(route)];
            var queries = (item["get"]!["parameters"]?.AsArray() ?? []).Where(p => p!["in"]?.GetValue<string>() == "query")
                .SelectMany(p => extremeQueries.Select(v => $"?{p!["name"]!.GetValue<string>()}={v}")).Prepend("").ToList();
            foreach (var path in paths)
            foreach (var query in queries)
            foreach (var client in new[] { _admin, agency })
            {
                var response = await client.GetAsync(path + query);
                reads++;
                var status = (int)response.StatusCode;
                if (status >= 500 || (status >= 400 && response.Content.Headers.ContentType?.MediaType != "application/problem+json"))
                    failures.Add($"{(client == agency ? "agency" : "admin")} GET {Shorten(path + query)}: {status} {Shorten(await response.Content.ReadAsStringAsync())}");
            }
        }
        Assert.True(reads >= 300, $"only {reads} reads");
        Assert.True(failures.Count == 0, $"{failures.Count} answers of {sent} writes and {reads} reads were 500s or not problem details:\n" + string.Join("\n", failures.Take(30)));
    }

    /// <summary>
    /// The longest string accepted, of random CJK characters (12,000 bytes of UTF-8): PostgreSQL compresses a repeated character
    /// to a few bytes, so only text like this finds a column or index that cannot hold it.
    /// </summary>
    private static string Incompressible(Random random, int length) =>
        string.Create(length, random, (chars, r) => { for (var i = 0; i < chars.Length; i++) chars[i] = (char)r.Next(0x4E00, 0x9FA5); });

    /// <summary>The node's string, number and boolean values, in document order.</summary>
    private static List<JsonValue> Leaves(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => Leaves(p.Value)).ToList(),
        JsonArray a => a.SelectMany(Leaves).ToList(),
        JsonValue v => [v],
        _ => [],
    };

    private static void Replace(JsonValue leaf, JsonNode? value)
    {
        switch (leaf.Parent)
        {
            case JsonObject o: o[leaf.GetPropertyName()] = value; break;
            case JsonArray a: a[leaf.GetElementIndex()] = value; break;
        }
    }

    private static string Shorten(string s) => s.Length > 200 ? s[..200] + "…" : s;

    /// <summary>A long body's start and end (where a changed value may be).</summary>
    private static string Ends(string s) => s.Length > 300 ? s[..100] + "…" + s[^200..] : s;

    private static JsonObject? Resolve(JsonObject? schema, JsonObject? schemas)
    {
        for (var i = 0; i < 5; i++)
        {
            if (schema?["$ref"] is { } r) schema = schemas?[r.GetValue<string>().Split('/')[^1]] as JsonObject;
            else if ((schema?["anyOf"] ?? schema?["oneOf"]) is JsonArray choices) // a nullable body: the non-null choice
                schema = choices.OfType<JsonObject>().FirstOrDefault(c => c["type"]?.ToString() != "null");
            else break;
        }
        return schema;
    }

    private static string TypeOf(JsonObject? schema)
    {
        if (schema?["enum"] is not null) return "enum";
        return schema?["type"] switch
        {
            JsonValue v => v.GetValue<string>(),
            JsonArray a => a.Select(x => x!.GetValue<string>()).FirstOrDefault(t => t != "null") ?? "any",
            _ => schema?["properties"] is not null ? "object" : "any",
        };
    }

    /// <summary>A value that the declared type never accepts.</summary>
    private static JsonNode? WrongValue(Random random, string type) => type switch
    {
        "string" => random.Next(4) switch { 0 => 42, 1 => new JsonObject { ["x"] = 1 }, 2 => new JsonArray(1, 2), _ => true },
        "integer" => random.Next(5) switch { 0 => "12", 1 => 1.5, 2 => JsonNode.Parse("99999999999999999999999"), 3 => true, _ => new JsonArray() },
        "number" => random.Next(3) switch { 0 => "12.5", 1 => true, _ => new JsonObject() },
        "boolean" => random.Next(3) switch { 0 => "yes", 1 => 1, _ => new JsonArray() },
        "enum" => random.Next(3) switch { 0 => "NotAMember", 1 => 3, _ => new JsonArray("x") },
        "object" => random.Next(3) switch { 0 => 5, 1 => "object", _ => new JsonArray(1) },
        "array" => random.Next(3) switch { 0 => new JsonObject(), 1 => "list", _ => 7 },
        _ => null,
    };

    private static string MalformedBody(Random random, JsonObject? schema, JsonObject? schemas)
    {
        var rootType = TypeOf(schema);
        var properties = schema?["properties"]?.AsObject().Select(p => (Name: p.Key, Type: TypeOf(Resolve(p.Value as JsonObject, schemas)))).ToList() ?? [];
        switch (random.Next(6))
        {
            case 0: // broken JSON
                string[] broken = ["{", "{\"a\":", "[1,2", "{\"title\":\"unterminated", "nul", "{'single':'quotes'}", "{\"a\":1,}", "\u0001\u0002", "{}}", "<xml/>"];
                return broken[random.Next(broken.Length)];
            case 1: // the wrong root type
                return rootType == "array" ? new[] { "{}", "123", "\"x\"", "true" }[random.Next(4)] : new[] { "[]", "123", "\"x\"", "true", "[{}]" }[random.Next(5)];
            case 2: // too deep
                var depth = 40 + random.Next(200);
                return rootType == "array" ? new string('[', depth) + new string(']', depth) : "{\"zz\":" + new string('[', depth) + new string(']', depth) + "}";
        }
        Assert.True(properties.Count > 0 || rootType is "any" or "array", $"a {rootType} body schema without properties: {schema?.ToJsonString()}");
        if (properties.Count == 0 || rootType == "array")
        {
            // No known fields to break (the EIDO is read by hand) or an array body: wrong roots and unknown-only objects.
            return rootType == "array" ? "[5, \"x\", true]" : "{\"zz" + random.Next(1000) + "\": [1, {\"deep\": null}]}";
        }
        var body = new JsonObject();
        for (var u = random.Next(4); u > 0; u--) body["zz" + random.Next(100000)] = random.Next(3) switch { 0 => "unknown", 1 => 1e300, _ => new JsonObject { ["n"] = new JsonArray() } };
        var target = properties[random.Next(properties.Count)];
        var overlong = random.Next(3) == 0 && target.Type == "string";
        var wrong = overlong ? JsonValue.Create(new string('界', 4001 + random.Next(3000))) : WrongValue(random, target.Type);
        if (wrong is null) // a field of unknown type: make the whole document too deep instead
            return "{\"" + target.Name + "\":" + new string('[', 50) + new string(']', 50) + "}";
        body[target.Name] = wrong;
        return body.ToJsonString();
    }
}

public sealed class EmbeddedFuzzTests : FuzzTests
{
    protected override Task<DispatchNode> StartNode() => DispatchNode.StartAsync(connectionString: null);
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresFuzzTests(PostgresServer postgres) : FuzzTests
{
    protected override async Task<DispatchNode> StartNode()
    {
        var cs = await postgres.CreateDatabaseAsync();
        await new HuaduDispatch.Silo.Schema.SchemaMigrator(cs).MigrateAsync();
        return await DispatchNode.StartAsync(cs);
    }
}
