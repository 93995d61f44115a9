using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using HuaduDispatch.Contracts;

namespace HuaduDispatch.Api.Standards.Eido;

/// <summary>What an imported EIDO asks for: the incident to report (source and externalId are set by the endpoint), and figures to apply.</summary>
public sealed record EidoImport
{
    /// <summary>The document's incident tracking identifier (its $id, or incidentTrackingIdentifier in draft documents).</summary>
    public required string TrackingId { get; init; }
    public required DateTimeOffset LastUpdate { get; init; }
    /// <summary>The agency that sent the document (updatedByAgencyReference), if it names one.</summary>
    public string? SenderAgency { get; init; }
    /// <summary>
    /// The member the incident's occurredAt was read from (our extension, the earliest call, or lastUpdateTimeStamp): an error
    /// about occurredAt names it, as the sender may have sent no occurredAt at all.
    /// </summary>
    public string OccurredAtField { get; init; } = "occurredAt";
    /// <summary>The member <see cref="SenderAgency"/> was read from (for errors about it).</summary>
    public string? SenderField { get; init; }
    public required CreateIncident Incident { get; init; }
    /// <summary>Assessment figures, only when the document carries our extension with them: those it gives (null: left out).</summary>
    public AssessmentUpdate? Assessment { get; init; }
}

/// <summary>
/// An incident merged into the one exported, as the export names it: its id, its external id (null when it has none, or when
/// the caller may not read that incident) and when it last changed (its merge; null when it could not be read).
/// </summary>
public sealed record EidoMergedIncident(string Id, string? ExternalId = null, DateTimeOffset? UpdatedAt = null);

/// <summary>Maps our incidents to EIDO documents and EIDO documents to incident reports. Plain code, no grains.</summary>
public static partial class EidoMapper
{
    /// <summary>Our agency identifier in EIDOs (updatedByAgencyReference, agencyComponent, tracking ids).</summary>
    public const string OwnAgencyId = IncidentSources.OwnAgency;
    public const string IssuingElement = "huadu-dispatch-api";
    /// <summary>Our extension: the incidentComponent member carrying what EIDO has no element for.</summary>
    public const string ExtensionProperty = "huaduIncident";
    public const string ExtensionId = "huadu-incident-1";
    private const string TrackingPrefix = "urn:emergency:uid:incidentid:";
    /// <summary>
    /// incidentMergeDirectionCode (IncidentMergeDirectionCodeSimpleType: REPLACING, REPLACED, SPLIT), read as what the exported
    /// incident is to the one named: a merged incident was REPLACED by its survivor, a survivor is REPLACING each incident merged
    /// into it. The schema does not say which side the code describes; this is our reading.
    /// </summary>
    public const string MergeReplaced = "REPLACED", MergeReplacing = "REPLACING";

    [GeneratedRegex("^INC-[0-9]{8}-[A-Z0-9]{8}$")]
    private static partial Regex OwnIdPattern();

    [GeneratedRegex("<[^>]*>")]
    private static partial Regex HtmlTag();

    /// <summary>A readable, coarse common type for each of our types (our IncidentType name is kept as the internal code).</summary>
    private static readonly IReadOnlyDictionary<IncidentType, string> CommonTypes = new Dictionary<IncidentType, string>
    {
        [IncidentType.Typhoon] = "Weather", [IncidentType.Rainstorm] = "Weather",
        [IncidentType.Waterlogging] = "Flood", [IncidentType.Flood] = "Flood",
        [IncidentType.Landslide] = "Geological", [IncidentType.GroundCollapse] = "Geological",
        [IncidentType.ForestFire] = "Fire", [IncidentType.BuildingFire] = "Fire", [IncidentType.IndustrialFire] = "Fire",
        [IncidentType.HazmatLeak] = "Hazmat", [IncidentType.GasLeak] = "Hazmat",
        [IncidentType.RoadTrafficAccident] = "Traffic",
        [IncidentType.ConstructionAccident] = "Rescue", [IncidentType.ConfinedSpace] = "Rescue", [IncidentType.WaterRescue] = "Rescue",
        [IncidentType.PublicHealth] = "Medical",
        [IncidentType.MassGathering] = "PublicOrder", [IncidentType.SocialSafety] = "PublicOrder",
        [IncidentType.Other] = "Other",
    };

    /// <summary>What a common type alone (no internal code of ours) is imported as.</summary>
    private static readonly IReadOnlyDictionary<string, IncidentType> CommonTypeImport = new Dictionary<string, IncidentType>(StringComparer.OrdinalIgnoreCase)
    {
        ["Weather"] = IncidentType.Rainstorm, ["Flood"] = IncidentType.Flood, ["Geological"] = IncidentType.Landslide,
        ["Fire"] = IncidentType.BuildingFire, ["Hazmat"] = IncidentType.HazmatLeak, ["Traffic"] = IncidentType.RoadTrafficAccident,
        ["Rescue"] = IncidentType.Other, ["Medical"] = IncidentType.PublicHealth, ["PublicOrder"] = IncidentType.SocialSafety,
        ["Other"] = IncidentType.Other,
    };

    public static string CommonType(IncidentType type) => CommonTypes[type];

    /// <summary>Every type string an import accepts: our type names, then the common types.</summary>
    public static IReadOnlyList<string> AcceptedTypes { get; } = [.. Enum.GetNames<IncidentType>(), .. CommonTypeImport.Keys];

    public static string TrackingId(string incidentId) => $"{TrackingPrefix}{incidentId}:{OwnAgencyId}";

    /// <summary>Our incident id when the tracking id has our form (our URN or a bare INC-... id), else null.</summary>
    public static string? OwnIncidentId(string trackingId)
    {
        var candidate = trackingId.Trim();
        if (candidate.StartsWith(TrackingPrefix, StringComparison.OrdinalIgnoreCase))
        {
            var rest = candidate[TrackingPrefix.Length..];
            var colon = rest.LastIndexOf(':');
            if (colon <= 0 || !string.Equals(rest[(colon + 1)..], OwnAgencyId, StringComparison.OrdinalIgnoreCase)) return null;
            candidate = rest[..colon];
        }
        return OwnIdPattern().IsMatch(candidate) ? candidate : null;
    }

    // ---------------------------------------------------------------- export

    /// <summary>
    /// The incident as an EIDO. <paramref name="teams"/> are the live teams of its assignments (missing ones are skipped);
    /// <paramref name="timeline"/> becomes notes after the description note (pass none for callers who may not read it).
    /// <paramref name="mergedFrom"/> are the incidents merged into it (<see cref="Incident.MergedFrom"/>, as read for the caller):
    /// each is a mergeComponent (REPLACING) and is listed in our extension with its external id. A merged incident names the one
    /// it was merged into the same way (REPLACED).
    /// </summary>
    public static EidoDocument ToEido(Incident incident, IReadOnlyList<RescueTeam> teams, IReadOnlyList<TimelineEntry> timeline,
        IReadOnlyList<EidoMergedIncident>? mergedFrom = null)
    {
        var tracking = TrackingId(incident.Id);
        var us = EidoReference.To(OwnAgencyId);
        var updated = incident.UpdatedAt;
        var locationId = $"{tracking}:location:0";
        var descriptionNoteId = $"{tracking}:note:description";

        var agencies = new List<EidoAgencyComponent>
        {
            new()
            {
                Id = OwnAgencyId, LastUpdateTimeStamp = updated, UpdatedByAgencyReference = us,
                AgencyRoleDescriptionRegistryText = ["Dispatch"], AgencyType = ["psap"], IncidentOwningAgencyIndicator = true,
            },
        };
        foreach (var agency in new[] { incident.Source }.Where(IsPartnerAgency).Concat(incident.SharedWith).Distinct(StringComparer.Ordinal))
        {
            agencies.Add(new EidoAgencyComponent
            {
                Id = agency, LastUpdateTimeStamp = updated, UpdatedByAgencyReference = us,
                AgencyRoleDescriptionRegistryText = [agency == incident.Source ? "Reporting" : "Informed"], AgencyType = [],
                IncidentOwningAgencyIndicator = false,
            });
        }

        var byId = teams.ToDictionary(t => t.Id, StringComparer.Ordinal);
        var resources = new List<EidoEmergencyResourceComponent>();
        var dispatches = new List<EidoDispatchComponent>();
        foreach (var (assignment, index) in incident.Teams.Select((a, i) => (a, i)))
        {
            if (!byId.TryGetValue(assignment.TeamId, out var team)) continue;
            var resourceId = $"{tracking}:resource:{team.Id}";
            if (resources.All(r => r.Id != resourceId))
            {
                var active = assignment.ReleasedAt is null && team.IncidentId == incident.Id;
                resources.Add(new EidoEmergencyResourceComponent
                {
                    Id = resourceId, LastUpdateTimeStamp = team.StatusChangedAt, UpdatedByAgencyReference = us,
                    EmergencyResourceTypeCommonRegistryText = "RescueTeam",
                    EmergencyResourceTypeInternalText = $"{team.Level} rescue team {team.Id}",
                    ResourceAttributeRegistryText = ["Other"],
                    ResourceAttributeInternalText = [.. team.Capabilities.Select(c => c.ToString())],
                    EmergencyResourceName = $"{team.NameEn} ({team.NameZh})",
                    PrimaryUnitStatusRegistryText = active ? UnitStatus(team.Status) : "Released",
                    SecondaryUnitStatusRegistryText = [],
                    UnitStatusInternal = active ? [team.Status.ToString()] : [team.Status.ToString(), "ReleasedFromIncident"],
                    ActiveOnIncidentId = active ? tracking : null,
                });
            }
            dispatches.Add(new EidoDispatchComponent
            {
                Id = $"{tracking}:dispatch:{index}", LastUpdateTimeStamp = assignment.ReleasedAt ?? assignment.AssignedAt,
                UpdatedByAgencyReference = us, AgencyReference = us, EmergencyResourceReference = [EidoReference.To(resourceId)],
            });
        }

        var notes = new List<EidoNotesComponent>
        {
            new()
            {
                Id = descriptionNoteId, LastUpdateTimeStamp = incident.ReportedAt, UpdatedByAgencyReference = us,
                NotesActionComments = WebUtility.HtmlEncode(incident.Description),
            },
        };
        notes.AddRange(timeline.Select(e => new EidoNotesComponent
        {
            Id = $"{tracking}:note:timeline:{e.Seq}", LastUpdateTimeStamp = e.At, UpdatedByAgencyReference = us,
            NotesActionComments = WebUtility.HtmlEncode($"[{e.Kind}] {e.Summary} (by {e.Actor}" +
                (e.ReportedAt is { } r ? $", reported for {r.ToString("O", CultureInfo.InvariantCulture)})" : ")")),
        }));

        // The merges, in the standard's own component (MergeInformationType), and in our extension with our ids and the
        // external ids. Until the thirty-third session neither side of a merge named the other.
        mergedFrom ??= [.. incident.MergedFrom.Select(id => new EidoMergedIncident(id))];
        var merges = new List<EidoMergeComponent>();
        if (incident.Status == IncidentStatus.Merged && incident.MergedInto is { } survivor)
        {
            merges.Add(new EidoMergeComponent
            {
                Id = $"{tracking}:merge:{survivor}", LastUpdateTimeStamp = updated, UpdatedByAgencyReference = us,
                IncidentTrackingIdentifier = TrackingId(survivor), IncidentMergeDirectionCode = MergeReplaced,
            });
        }
        merges.AddRange(mergedFrom.Select(m => new EidoMergeComponent
        {
            Id = $"{tracking}:merge:{m.Id}", LastUpdateTimeStamp = m.UpdatedAt ?? updated, UpdatedByAgencyReference = us,
            IncidentTrackingIdentifier = TrackingId(m.Id), IncidentMergeDirectionCode = MergeReplacing,
        }));

        return new EidoDocument
        {
            Id = tracking,
            LastUpdateTimeStamp = updated,
            UpdatedByAgencyReference = us,
            EidoExtensionId = [ExtensionId],
            IssuingElementIdentification = IssuingElement,
            MergeComponent = merges.Count > 0 ? merges : null,
            IncidentComponent = new EidoIncidentComponent
            {
                Id = $"{tracking}:incident:0", LastUpdateTimeStamp = updated, UpdatedByAgencyReference = us,
                IncidentTypeCommonRegistryText = CommonType(incident.Type),
                IncidentTypeInternalCode = incident.Type.ToString(),
                IncidentTypeInternalText = Readable(incident.Type.ToString()),
                IncidentStatusCommonRegistryText = [StatusCommon(incident.Status)],
                IncidentStatusInternalText = [incident.Status.ToString()],
                InternalIncidentId = incident.Id,
                IncidentPriorityInternalText = incident.ResponseLevel.ToString(),
                IncidentCommonPriorityNumber = 5 - (int)incident.ResponseLevel,
                BeatOrDispatchGroupText = incident.Location.AreaId,
                LocationReference = [EidoReference.To(locationId)],
                NotesReference = [EidoReference.To(descriptionNoteId)],
                HuaduIncident = new HuaduIncidentExtension
                {
                    Title = incident.Title, Description = incident.Description, Type = incident.Type, Category = incident.Category,
                    Status = incident.Status, ResponseLevel = incident.ResponseLevel, LevelReason = incident.LevelReason,
                    OccurredAt = incident.OccurredAt, ReportedAt = incident.ReportedAt, Source = incident.Source,
                    ExternalId = incident.ExternalId, AreaId = incident.Location.AreaId, Assessment = incident.Assessment,
                    MergedInto = incident.Status == IncidentStatus.Merged ? incident.MergedInto : null,
                    MergedFrom = mergedFrom.Count > 0
                        ? [.. mergedFrom.Select(m => new HuaduMergedIncident { IncidentId = m.Id, TrackingId = TrackingId(m.Id), ExternalId = m.ExternalId })]
                        : null,
                },
            },
            AgencyComponent = agencies,
            LocationComponent =
            [
                new EidoLocationComponent
                {
                    Id = locationId, LastUpdateTimeStamp = incident.ReportedAt, UpdatedByAgencyReference = us,
                    LocationTypeDescriptionRegistryText = "Incident",
                    LocationByValue = PidfLo.Point($"pres:{incident.Id}@{OwnAgencyId}", incident.Location.Lat, incident.Location.Lon, incident.ReportedAt),
                    LocationDescriptionText = incident.Location.Address,
                },
            ],
            DispatchComponent = dispatches,
            EmergencyResourceComponent = resources,
            NotesComponent = notes,
        };
    }

    private static bool IsPartnerAgency(string source) => source.Length > 0 && !IncidentSources.IsInternal(source);

    private static string StatusCommon(IncidentStatus status) => status switch
    {
        IncidentStatus.Closed => "Closed",
        IncidentStatus.Cancelled => "Cancelled",
        IncidentStatus.Merged => "Merged",
        _ => "Open",
    };

    private static string UnitStatus(TeamStatus status) => status switch
    {
        TeamStatus.Assigned => "Dispatched",
        TeamStatus.EnRoute => "Enroute",
        TeamStatus.OnScene => "OnScene",
        TeamStatus.Returning => "Returning",
        TeamStatus.Available => "Available",
        _ => "OutOfService",
    };

    /// <summary>"RoadTrafficAccident" -> "Road traffic accident".</summary>
    public static string Readable(string pascal)
    {
        var words = Regex.Split(pascal, "(?<=[a-z])(?=[A-Z])");
        return string.Join(' ', words.Select((w, i) => i == 0 ? w : w.ToLowerInvariant()));
    }

    // ---------------------------------------------------------------- import

    /// <summary>
    /// Reads one EIDO (JSON object). Property names are matched case-insensitively, so both lastUpdateTimeStamp and
    /// lastUpdateTimestamp (and the draft's LastUpdateTimeStamp) are read. Throws DomainException.Invalid naming the field.
    /// </summary>
    /// <summary>
    /// The limit a typed body has on each string (<see cref="BoundedStringConverter"/>), for the texts an EIDO gives the incident:
    /// an EIDO is read by hand from a <see cref="JsonElement"/>, which that converter never sees, and its title and description
    /// may come from notes or the extension. A longer one is a 400, as in a report.
    /// </summary>
    public static void CheckLengths(EidoImport import, int maxLength)
    {
        foreach (var (field, text) in new[] { ("title", import.Incident.Title), ("description", import.Incident.Description), ("location.address", import.Incident.Location?.Address) })
        {
            if (text is not null && BoundedStringConverter.Problem(text, maxLength) is { } problem)
                throw DomainException.Invalid(field, $"the incident's {field} from this EIDO {problem}");
        }
    }

    public static EidoImport FromEido(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object) throw DomainException.Invalid("body", "an EIDO is a JSON object");

        var lastUpdate = Timestamp(root, "lastUpdateTimeStamp", required: true)!.Value;
        var tracking = Text(root, "incidentTrackingIdentifier") ?? Text(root, "$id")
            ?? throw DomainException.Invalid("$id", "the EIDO's $id (its incident tracking identifier) is required");
        // It becomes the incident's externalId, whose limit it has (before the twenty-third session a longer one was refused as "externalId").
        if (tracking.Length > Dispatch.IncidentApi.MaxExternalIdLength)
            throw DomainException.Invalid("$id", $"the incident tracking identifier is longer than {Dispatch.IncidentApi.MaxExternalIdLength} characters");

        var incident = Get(root, "incidentComponent") is { } ic
            ? ic.ValueKind switch
            {
                JsonValueKind.Object => ic,
                JsonValueKind.Array when ic.GetArrayLength() > 0 && ic[0].ValueKind == JsonValueKind.Object => ic[0],
                _ => throw DomainException.Invalid("incidentComponent", "incidentComponent must be an object (or a non-empty array of objects)"),
            }
            : throw DomainException.Invalid("incidentComponent", "incidentComponent is required");

        var extension = ReadExtension(incident);
        var type = ResolveType(incident);
        var location = ResolveLocation(root, incident);

        var title = FirstText(extension?.Title, Text(incident, "incidentTypeInternalText", "incidentComponent.incidentTypeInternalText")) ?? Readable(type.ToString());
        var description = FirstText(extension?.Description, DescriptionNote(root, incident)) ?? "";
        var call = EarliestCall(root);
        var occurredAt = extension?.OccurredAt ?? call ?? lastUpdate;
        var occurredAtField = extension?.OccurredAt is not null ? $"incidentComponent.{ExtensionProperty}.occurredAt"
            : call is not null ? "callComponent[].callStartTimestamp" : "lastUpdateTimeStamp";

        // The reference is an object {"$ref": id}; a plain string id is read too (before the twenty-third session it was ignored without a word).
        var (sender, senderField) = Get(root, "updatedByAgencyReference") switch
        {
            { ValueKind: JsonValueKind.Object } agencyRef => (Text(agencyRef, "$ref", "updatedByAgencyReference.$ref"), "updatedByAgencyReference.$ref"),
            { ValueKind: JsonValueKind.String } => (Text(root, "updatedByAgencyReference"), "updatedByAgencyReference"),
            _ => ((string?)null, (string?)null),
        };
        if (sender is null && Text(root, "owningAgencyIdentifier") is { } owning) (sender, senderField) = (owning, "owningAgencyIdentifier");

        return new EidoImport
        {
            TrackingId = tracking,
            LastUpdate = lastUpdate,
            SenderAgency = sender,
            SenderField = senderField,
            OccurredAtField = occurredAtField,
            Incident = new CreateIncident
            {
                Type = type,
                Title = title,
                Description = description,
                Location = location with { AreaId = FirstText(extension?.AreaId) },
                OccurredAt = occurredAt,
                // The figures given; one left out keeps its value on a resubmission or an update, as over REST (until the
                // twenty-ninth session every figure left out of the extension was read as 0).
                Assessment = extension?.Assessment is { } figures && !figures.GivesNoFigure() ? figures : null,
            },
            Assessment = extension?.Assessment is { } given && !given.GivesNoFigure() ? given : null,
        };
    }

    private sealed record ExtensionInput
    {
        public string? Title { get; init; }
        public string? Description { get; init; }
        public DateTimeOffset? OccurredAt { get; init; }
        public string? AreaId { get; init; }
        public AssessmentUpdate? Assessment { get; init; }
        // What an export writes besides (HuaduIncidentExtension): informative, not read, so any value is taken.
        public JsonElement? Type { get; init; }
        public JsonElement? Category { get; init; }
        public JsonElement? Status { get; init; }
        public JsonElement? ResponseLevel { get; init; }
        public JsonElement? LevelReason { get; init; }
        public JsonElement? ReportedAt { get; init; }
        public JsonElement? Source { get; init; }
        public JsonElement? ExternalId { get; init; }
        public JsonElement? MergedInto { get; init; }
        public JsonElement? MergedFrom { get; init; }
    }

    /// <summary>
    /// The extension's own reading: the members an export writes but an import does not read are informative; times need their
    /// offset; a member the extension does not have is a 400 naming it, as in every request body (our schema, unlike the EIDO's
    /// own members, which are many and mostly not read: those are ignored).
    /// </summary>
    private static readonly JsonSerializerOptions ExtensionJson = new(DispatchJson.Options)
    {
        Converters = { new OffsetDateTimeConverter() },
        // A field twice (also in another case) is refused, as in every request body (HttpHardening.StrictInput).
        AllowDuplicateProperties = false,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    private static ExtensionInput? ReadExtension(JsonElement incident)
    {
        if (Get(incident, ExtensionProperty) is not { } ext || ext.ValueKind == JsonValueKind.Null) return null;
        if (ext.ValueKind != JsonValueKind.Object)
            throw DomainException.Invalid($"incidentComponent.{ExtensionProperty}", $"{ExtensionProperty} must be an object");
        try
        {
            // Only the members we read are bound; the others (type, status, level, ...) are informative.
            return ext.Deserialize<ExtensionInput>(ExtensionJson);
        }
        catch (JsonException e)
        {
            throw DomainException.Invalid($"incidentComponent.{ExtensionProperty}{Path(e)}", $"not a valid {ExtensionProperty} extension: {DomainExceptionHandler.Readable(e.Message.Split(" Path: ", 2)[0], e.Path)}");
        }
    }

    private static string Path(JsonException e) => e.Path is { Length: > 1 } p ? p.TrimStart('$') : "";

    private static IncidentType ResolveType(JsonElement incident)
    {
        var internalCode = Text(incident, "incidentTypeInternalCode", "incidentComponent.incidentTypeInternalCode");
        if (internalCode is not null && ParseOurType(internalCode) is { } ours) return ours;
        var common = Text(incident, "incidentTypeCommonRegistryText", "incidentComponent.incidentTypeCommonRegistryText");
        if (common is null)
        {
            throw DomainException.Invalid("incidentComponent.incidentTypeCommonRegistryText",
                "incidentTypeCommonRegistryText is required (or incidentTypeInternalCode with one of our types); accepted: " + string.Join(", ", AcceptedTypes));
        }
        if (ParseOurType(common) is { } named) return named;
        if (CommonTypeImport.TryGetValue(common, out var mapped)) return mapped;
        throw DomainException.Invalid("incidentComponent.incidentTypeCommonRegistryText",
            $"unknown incident type '{common}'" + (internalCode is null ? "" : $" (internal code '{internalCode}' is not ours either)") +
            "; accepted: " + string.Join(", ", AcceptedTypes));
    }

    private static IncidentType? ParseOurType(string text) => EnumNames.TryParse<IncidentType>(text, out var t) ? t : null;

    private static IncidentLocation ResolveLocation(JsonElement root, JsonElement incident)
    {
        var name = Get(root, "locationComponent") is not null ? "locationComponent" : "locationInformationComponent";
        if (Get(root, name) is not { ValueKind: JsonValueKind.Array } locations || locations.GetArrayLength() == 0)
            throw DomainException.Invalid("locationComponent", "locationComponent with the incident's location (locationByValue, a PIDF-LO with gml:pos) is required");

        var wanted = Get(incident, "locationReference") is { ValueKind: JsonValueKind.Array } refs && refs.GetArrayLength() > 0 &&
                     refs[0].ValueKind == JsonValueKind.Object ? Text(refs[0], "$ref", "incidentComponent.locationReference[0].$ref") : null;
        var items = locations.EnumerateArray().Select((l, i) => (Location: l, Index: i)).Where(x => x.Location.ValueKind == JsonValueKind.Object).ToList();
        var chosen = items.FirstOrDefault(x => wanted is not null && Text(x.Location, "$id", $"{name}[{x.Index}].$id") == wanted);
        if (chosen.Location.ValueKind != JsonValueKind.Object)
            chosen = items.FirstOrDefault(x => Text(x.Location, "locationByValue", $"{name}[{x.Index}].locationByValue") is not null);
        if (chosen.Location.ValueKind != JsonValueKind.Object || Text(chosen.Location, "locationByValue", $"{name}[{chosen.Index}].locationByValue") is not { } pidf)
            throw DomainException.Invalid("locationComponent", "no location carries locationByValue (a PIDF-LO with gml:pos); locationByReferenceUrl is not dereferenced");

        var field = $"{name}[{chosen.Index}].locationByValue";
        var position = PidfLo.TryReadPosition(pidf, out var error) ?? throw DomainException.Invalid(field, error!);
        var address = Text(chosen.Location, "locationDescriptionText", $"{name}[{chosen.Index}].locationDescriptionText");
        return new IncidentLocation { Lat = position.Lat, Lon = position.Lon, Address = address };
    }

    private static string? DescriptionNote(JsonElement root, JsonElement incident)
    {
        if (Get(incident, "notesReference") is not { ValueKind: JsonValueKind.Array } refs || refs.GetArrayLength() == 0 ||
            refs[0].ValueKind != JsonValueKind.Object || Text(refs[0], "$ref") is not { } id) return null;
        if (Get(root, "notesComponent") is not { ValueKind: JsonValueKind.Array } notes) return null;
        var note = notes.EnumerateArray().FirstOrDefault(n => n.ValueKind == JsonValueKind.Object && Text(n, "$id") == id);
        return note.ValueKind == JsonValueKind.Object && Text(note, "notesActionComments", "notesComponent[].notesActionComments") is { } html
            ? WebUtility.HtmlDecode(HtmlTag().Replace(html, " ")).Trim()
            : null;
    }

    private static DateTimeOffset? EarliestCall(JsonElement root)
    {
        if (Get(root, "callComponent") is not { ValueKind: JsonValueKind.Array } calls) return null;
        var starts = calls.EnumerateArray()
            .Select((c, i) => c.ValueKind == JsonValueKind.Object ? Timestamp(c, "callStartTimestamp", false, $"callComponent[{i}].callStartTimestamp") : null)
            .OfType<DateTimeOffset>().ToList();
        return starts.Count > 0 ? starts.Min() : null;
    }

    // ---------------------------------------------------------------- JSON helpers (case-insensitive names)

    private static JsonElement? Get(JsonElement obj, string name)
    {
        JsonElement? found = null;
        foreach (var p in obj.EnumerateObject())
        {
            if (!p.NameEquals(name) && !string.Equals(NameOf(p), name, StringComparison.OrdinalIgnoreCase)) continue;
            // Names are case-insensitive, so "huaduIncident" and "HuaduIncident" are one member sent twice: refused, as in every
            // request body, rather than the first copy read here and the last elsewhere.
            if (found is not null) throw DomainException.Invalid(p.Name, "the field is sent twice (field names are case-insensitive): send it once");
            found = p.Value;
        }
        return found;
    }

    /// <summary>A member's name; one that is not valid text (a lone surrogate escape) is a 400, as in a REST body.</summary>
    private static string NameOf(JsonProperty p)
    {
        try
        {
            return p.Name;
        }
        catch (InvalidOperationException)
        {
            throw DomainException.Invalid("$", "a member name is not valid text (a lone UTF-16 surrogate escape, or bytes that are not UTF-8)");
        }
    }

    private static string? Text(JsonElement obj, string name, string? field = null)
    {
        if (Get(obj, name) is not { } v || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.String) throw DomainException.Invalid(field ?? name, $"{name} must be a string");
        string s;
        try
        {
            s = v.GetString()!.Trim();
        }
        catch (InvalidOperationException)
        {
            // A lone surrogate escape (text cut in the middle of a pair) or bytes that are not UTF-8: valid JSON, no text. It
            // was a 500 until the twenty-ninth session; a REST body with the same string is a 400 too.
            throw DomainException.Invalid(field ?? name, $"{name} is not valid text (a lone UTF-16 surrogate escape, or bytes that are not UTF-8)");
        }
        if (BoundedStringConverter.Problem(s) is { } problem) throw DomainException.Invalid(field ?? name, $"{name} {problem}");
        return s.Length == 0 ? null : s;
    }

    private static DateTimeOffset? Timestamp(JsonElement obj, string name, bool required, string? field = null)
    {
        field ??= name;
        var text = Text(obj, name, field);
        if (text is null)
        {
            if (required) throw DomainException.Invalid(field, $"{name} (ISO 8601 date-time) is required");
            return null;
        }
        // With its offset (NENA's timestamps carry one): a time without one was read as UTC before the twenty-third session.
        if (OffsetDateTimeConverter.TryParse(text.Trim(), out var at)) return at;
        throw DomainException.Invalid(field, $"{name} {OffsetDateTimeConverter.Problem(text.Trim())}");
    }

    /// <summary>The first text that shows something (one of zero-width characters alone falls through, as blank text does).</summary>
    private static string? FirstText(params string?[] values) => values.FirstOrDefault(v => !VisibleText.IsBlank(v))?.Trim();
}
