namespace HuaduDispatch.Contracts;

/// <summary>Incident types seen in Huadu (突发事件类型). Each maps to one national category.</summary>
[Alias("huadu.IncidentType")]
public enum IncidentType
{
    Typhoon, Rainstorm, Waterlogging, Flood, Landslide, GroundCollapse, ForestFire, BuildingFire, IndustrialFire, HazmatLeak,
    GasLeak, RoadTrafficAccident, ConstructionAccident, ConfinedSpace, WaterRescue, PublicHealth, MassGathering, SocialSafety, Other,
}

/// <summary>The four national categories of emergencies (自然灾害、事故灾难、公共卫生事件、社会安全事件).</summary>
[Alias("huadu.IncidentCategory")]
public enum IncidentCategory { NaturalDisaster, AccidentDisaster, PublicHealth, SocialSafety }

/// <summary>Response level (响应级别): I is the most severe (特别重大), IV the least (一般).</summary>
[Alias("huadu.ResponseLevel")]
public enum ResponseLevel { I = 1, II = 2, III = 3, IV = 4 }

/// <summary>Who leads the response at a level.</summary>
[Alias("huadu.LeadingTier")]
public enum LeadingTier
{
    /// <summary>Level IV: the district emergency management bureau (区应急管理局).</summary>
    DistrictBureau,
    /// <summary>Level III: the district emergency command (区应急指挥部) with a field command post.</summary>
    DistrictCommand,
    /// <summary>Level II: the city leads, the district supports.</summary>
    City,
    /// <summary>Level I: the province (or above) leads, the district supports.</summary>
    Province,
}

[Alias("huadu.IncidentStatus")]
public enum IncidentStatus { Reported, Verified, Responding, Contained, Recovery, Closed, Cancelled, Merged }

/// <summary>Casualty and loss figures of an incident (灾情评估). All counts are people unless named otherwise.</summary>
[GenerateSerializer, Immutable, Alias("huadu.Assessment")]
public sealed record Assessment
{
    [Id(0)] public int Dead { get; init; }
    [Id(1)] public int Missing { get; init; }
    [Id(2)] public int SeriouslyInjured { get; init; }
    [Id(3)] public int Injured { get; init; }
    [Id(4)] public int Trapped { get; init; }
    [Id(5)] public int Affected { get; init; }
    [Id(6)] public int Relocated { get; init; }
    [Id(7)] public decimal DirectLossCny { get; init; }
    [Id(8)] public bool HazardousMaterials { get; init; }

    public static Assessment None { get; } = new();
}

/// <summary>
/// POST /api/v1/incidents/{id}/assessments: the figures that changed. A figure left out (or null) keeps its value, so a field
/// report of "2 trapped" does not wipe the affected and relocated people counted before.
/// </summary>
[GenerateSerializer, Immutable, Alias("huadu.AssessmentUpdate")]
public sealed record AssessmentUpdate
{
    [Id(0)] public int? Dead { get; init; }
    [Id(1)] public int? Missing { get; init; }
    [Id(2)] public int? SeriouslyInjured { get; init; }
    [Id(3)] public int? Injured { get; init; }
    [Id(4)] public int? Trapped { get; init; }
    [Id(5)] public int? Affected { get; init; }
    [Id(6)] public int? Relocated { get; init; }
    [Id(7)] public decimal? DirectLossCny { get; init; }
    [Id(8)] public bool? HazardousMaterials { get; init; }

    /// <summary>No figure given. A method, so that it is no member of the JSON (as a property it was in the request schema, and a body sending it was not refused).</summary>
    public bool GivesNoFigure() => Dead is null && Missing is null && SeriouslyInjured is null && Injured is null && Trapped is null
        && Affected is null && Relocated is null && DirectLossCny is null && HazardousMaterials is null;

    /// <summary>The assessment with the figures given here, and the others as they were in <paramref name="current"/>.</summary>
    public Assessment ApplyTo(Assessment current)
    {
        ArgumentNullException.ThrowIfNull(current);
        return new Assessment
        {
            Dead = Dead ?? current.Dead, Missing = Missing ?? current.Missing, SeriouslyInjured = SeriouslyInjured ?? current.SeriouslyInjured,
            Injured = Injured ?? current.Injured, Trapped = Trapped ?? current.Trapped, Affected = Affected ?? current.Affected,
            Relocated = Relocated ?? current.Relocated, DirectLossCny = DirectLossCny ?? current.DirectLossCny,
            HazardousMaterials = HazardousMaterials ?? current.HazardousMaterials,
        };
    }

    /// <summary>Every figure of <paramref name="a"/> (a whole assessment).</summary>
    public static AssessmentUpdate All(Assessment a)
    {
        ArgumentNullException.ThrowIfNull(a);
        return new AssessmentUpdate
        {
            Dead = a.Dead, Missing = a.Missing, SeriouslyInjured = a.SeriouslyInjured, Injured = a.Injured, Trapped = a.Trapped,
            Affected = a.Affected, Relocated = a.Relocated, DirectLossCny = a.DirectLossCny, HazardousMaterials = a.HazardousMaterials,
        };
    }
}

/// <summary>One required response module (编组模块): a capability and how many teams with it.</summary>
[GenerateSerializer, Immutable, Alias("huadu.ModuleRequirement")]
public sealed record ModuleRequirement
{
    [Id(0)] public required Capability Capability { get; init; }
    [Id(1)] public required int Count { get; init; }
}

/// <summary>The modules a response plan activates for one incident type at one level (风险—任务型编组模块).</summary>
[GenerateSerializer, Immutable, Alias("huadu.ResponsePlanEntry")]
public sealed record ResponsePlanEntry
{
    [Id(0)] public required IncidentType Type { get; init; }
    [Id(1)] public required ResponseLevel Level { get; init; }
    [Id(2)] public required IReadOnlyList<ModuleRequirement> Modules { get; init; }
}

/// <summary>The response plans in force and their version, which the API sends as the ETag ("3") and takes in If-Match.</summary>
[GenerateSerializer, Immutable, Alias("huadu.ResponsePlanSet")]
public sealed record ResponsePlanSet
{
    [Id(0)] public required IReadOnlyList<ResponsePlanEntry> Entries { get; init; }
    [Id(1)] public required int Version { get; init; }

    public string ETag => $"\"{Version}\"";
}
