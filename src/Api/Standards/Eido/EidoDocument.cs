using System.Text.Json.Serialization;
using HuaduDispatch.Contracts;

namespace HuaduDispatch.Api.Standards.Eido;

// The EIDO (NENA-STA-021, JSON form) as this system writes it. Property names follow the standard's OpenAPI schema
// (NENA911/EIDO-JSON, Schema/openapi.yaml, version 1.0.0); see docs/readme-eido-geojson.md for which names are confirmed
// and which registry values are our assumptions. Only the components we fill are modelled. Reading is done leniently by
// EidoMapper.FromEido on a JsonElement, not by these types.

/// <summary>A reference to another data component: {"$ref": "&lt;its $id&gt;"}.</summary>
public sealed record EidoReference
{
    [JsonPropertyName("$ref")] public required string Ref { get; init; }

    public static EidoReference To(string id) => new() { Ref = id };
}

/// <summary>The prologue every EIDO data component carries.</summary>
public abstract record EidoComponent
{
    [JsonPropertyName("$id"), JsonPropertyOrder(-3)] public required string Id { get; init; }
    [JsonPropertyName("lastUpdateTimeStamp"), JsonPropertyOrder(-2)] public required DateTimeOffset LastUpdateTimeStamp { get; init; }
    [JsonPropertyName("updatedByAgencyReference"), JsonPropertyOrder(-1)] public required EidoReference UpdatedByAgencyReference { get; init; }
}

/// <summary>The document (EmergencyIncidentDataObjectType). Its $id is the incident tracking identifier.</summary>
public sealed record EidoDocument : EidoComponent
{
    [JsonPropertyName("eidoVersion")] public string EidoVersion { get; init; } = "1.0";
    [JsonPropertyName("eidoExtensionId")] public IReadOnlyList<string>? EidoExtensionId { get; init; }
    [JsonPropertyName("issuingElementIdentification")] public required string IssuingElementIdentification { get; init; }
    /// <summary>The incidents this one was merged with (MergeInformationType); left out when there are none.</summary>
    [JsonPropertyName("mergeComponent")] public IReadOnlyList<EidoMergeComponent>? MergeComponent { get; init; }
    [JsonPropertyName("incidentComponent")] public required EidoIncidentComponent IncidentComponent { get; init; }
    [JsonPropertyName("agencyComponent")] public required IReadOnlyList<EidoAgencyComponent> AgencyComponent { get; init; }
    [JsonPropertyName("locationComponent")] public required IReadOnlyList<EidoLocationComponent> LocationComponent { get; init; }
    [JsonPropertyName("dispatchComponent")] public required IReadOnlyList<EidoDispatchComponent> DispatchComponent { get; init; }
    [JsonPropertyName("emergencyResourceComponent")] public required IReadOnlyList<EidoEmergencyResourceComponent> EmergencyResourceComponent { get; init; }
    [JsonPropertyName("notesComponent")] public required IReadOnlyList<EidoNotesComponent> NotesComponent { get; init; }
}

/// <summary>IncidentInformationType, plus our own extension object <see cref="HuaduIncident"/>.</summary>
public sealed record EidoIncidentComponent : EidoComponent
{
    [JsonPropertyName("incidentTypeCommonRegistryText")] public required string IncidentTypeCommonRegistryText { get; init; }
    [JsonPropertyName("incidentTypeInternalCode")] public required string IncidentTypeInternalCode { get; init; }
    [JsonPropertyName("incidentTypeInternalText")] public required string IncidentTypeInternalText { get; init; }
    [JsonPropertyName("incidentStatusCommonRegistryText")] public required IReadOnlyList<string> IncidentStatusCommonRegistryText { get; init; }
    [JsonPropertyName("incidentStatusInternalText")] public required IReadOnlyList<string> IncidentStatusInternalText { get; init; }
    [JsonPropertyName("internalIncidentId")] public required string InternalIncidentId { get; init; }
    [JsonPropertyName("incidentPriorityInternalText")] public required string IncidentPriorityInternalText { get; init; }
    [JsonPropertyName("incidentCommonPriorityNumber")] public required int IncidentCommonPriorityNumber { get; init; }
    [JsonPropertyName("beatOrDispatchGroupText")] public string? BeatOrDispatchGroupText { get; init; }
    [JsonPropertyName("locationReference")] public required IReadOnlyList<EidoReference> LocationReference { get; init; }
    [JsonPropertyName("notesReference")] public IReadOnlyList<EidoReference>? NotesReference { get; init; }
    /// <summary>Our extension (declared in eidoExtensionId): what EIDO has no element for.</summary>
    [JsonPropertyName(EidoMapper.ExtensionProperty)] public required HuaduIncidentExtension HuaduIncident { get; init; }
}

/// <summary>The figures and texts of our incident that the EIDO has no element for (our extension, not part of the standard).</summary>
public sealed record HuaduIncidentExtension
{
    public required string Title { get; init; }
    public required string Description { get; init; }
    public required IncidentType Type { get; init; }
    public required IncidentCategory Category { get; init; }
    public required IncidentStatus Status { get; init; }
    public required ResponseLevel ResponseLevel { get; init; }
    public required string LevelReason { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
    public required DateTimeOffset ReportedAt { get; init; }
    public required string Source { get; init; }
    public string? ExternalId { get; init; }
    public string? AreaId { get; init; }
    public required Assessment Assessment { get; init; }
    /// <summary>For a merged incident: the incident it was merged into (our id; its tracking id is in the mergeComponent).</summary>
    public string? MergedInto { get; init; }
    /// <summary>The incidents merged into this one, with their tracking ids and external ids; left out when there are none.</summary>
    public IReadOnlyList<HuaduMergedIncident>? MergedFrom { get; init; }
}

/// <summary>An incident merged into the exported one, as our extension lists it.</summary>
public sealed record HuaduMergedIncident
{
    public required string IncidentId { get; init; }
    public required string TrackingId { get; init; }
    /// <summary>The reporter's own reference for it (for an EIDO import, the sender's tracking id), when it had one.</summary>
    public string? ExternalId { get; init; }
}

/// <summary>
/// MergeInformationType: an incident this one was merged with. <c>incidentMergeDirectionCode</c> says what this incident is
/// to the one named (our reading of the schema, which does not say): REPLACED when it was merged into it, REPLACING when the
/// named incident was merged into this one.
/// </summary>
public sealed record EidoMergeComponent : EidoComponent
{
    [JsonPropertyName("incidentTrackingIdentifier")] public required string IncidentTrackingIdentifier { get; init; }
    [JsonPropertyName("incidentMergeDirectionCode")] public required string IncidentMergeDirectionCode { get; init; }
}

/// <summary>AgencyType.</summary>
public sealed record EidoAgencyComponent : EidoComponent
{
    [JsonPropertyName("agencyRoleDescriptionRegistryText")] public required IReadOnlyList<string> AgencyRoleDescriptionRegistryText { get; init; }
    [JsonPropertyName("agencyType")] public required IReadOnlyList<string> AgencyType { get; init; }
    [JsonPropertyName("incidentOwningAgencyIndicator")] public required bool IncidentOwningAgencyIndicator { get; init; }
}

/// <summary>LocationInformationType: the position as a PIDF-LO document (locationByValue), the address as text.</summary>
public sealed record EidoLocationComponent : EidoComponent
{
    [JsonPropertyName("locationTypeDescriptionRegistryText")] public required string LocationTypeDescriptionRegistryText { get; init; }
    [JsonPropertyName("locationByValue")] public required string LocationByValue { get; init; }
    [JsonPropertyName("locationDescriptionText")] public string? LocationDescriptionText { get; init; }
}

/// <summary>DispatchInformationType: one per team assignment.</summary>
public sealed record EidoDispatchComponent : EidoComponent
{
    [JsonPropertyName("agencyReference")] public required EidoReference AgencyReference { get; init; }
    [JsonPropertyName("emergencyResourceReference")] public required IReadOnlyList<EidoReference> EmergencyResourceReference { get; init; }
}

/// <summary>EmergencyResourceType: one of our rescue teams.</summary>
public sealed record EidoEmergencyResourceComponent : EidoComponent
{
    [JsonPropertyName("emergencyResourceTypeCommonRegistryText")] public required string EmergencyResourceTypeCommonRegistryText { get; init; }
    [JsonPropertyName("emergencyResourceTypeInternalText")] public required string EmergencyResourceTypeInternalText { get; init; }
    [JsonPropertyName("resourceAttributeRegistryText")] public required IReadOnlyList<string> ResourceAttributeRegistryText { get; init; }
    [JsonPropertyName("resourceAttributeInternalText")] public required IReadOnlyList<string> ResourceAttributeInternalText { get; init; }
    [JsonPropertyName("emergencyResourceName")] public required string EmergencyResourceName { get; init; }
    [JsonPropertyName("primaryUnitStatusRegistryText")] public required string PrimaryUnitStatusRegistryText { get; init; }
    [JsonPropertyName("secondaryUnitStatusRegistryText")] public required IReadOnlyList<string> SecondaryUnitStatusRegistryText { get; init; }
    [JsonPropertyName("unitStatusInternal")] public required IReadOnlyList<string> UnitStatusInternal { get; init; }
    [JsonPropertyName("agentReference")] public IReadOnlyList<EidoReference> AgentReference { get; init; } = [];
    [JsonPropertyName("activeOnIncidentId")] public string? ActiveOnIncidentId { get; init; }
}

/// <summary>NotesType: notesActionComments is HTML (we write encoded plain text).</summary>
public sealed record EidoNotesComponent : EidoComponent
{
    [JsonPropertyName("notesActionComments")] public required string NotesActionComments { get; init; }
}
