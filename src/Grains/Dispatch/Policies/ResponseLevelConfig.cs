using System.Text.Json.Serialization;
using HuaduDispatch.Contracts;

namespace HuaduDispatch.Grains.Dispatch;

/// <summary>
/// The thresholds of one response level (响应级别) for one category. Any one criterion met puts the incident at this level;
/// a null criterion is not used. Each count is compared with the <see cref="Assessment"/> field of the same name
/// ("at least": the regulation's "以上" includes the figure itself), except <see cref="DeadOrMissing"/>, which compares
/// Dead + Missing. <see cref="HazardousMaterials"/> = true means "hazardous materials involved" raises the incident to this level.
/// </summary>
public sealed record LevelCriteria
{
    public int? Dead { get; init; }
    public int? Missing { get; init; }
    public int? DeadOrMissing { get; init; }
    public int? SeriouslyInjured { get; init; }
    public int? Injured { get; init; }
    public int? Trapped { get; init; }
    public int? Affected { get; init; }
    public int? Relocated { get; init; }
    public decimal? DirectLossCny { get; init; }
    public bool? HazardousMaterials { get; init; }
}

/// <summary>The grading of one category: criteria for levels I–III; an incident that meets none of them is level IV (一般).</summary>
public sealed record CategoryGrading
{
    /// <summary>Where the figures come from (a regulation, or "assumption: ..."), for the bureau reading the file.</summary>
    public string? Basis { get; init; }
    [JsonPropertyName("I")] public LevelCriteria? I { get; init; }
    [JsonPropertyName("II")] public LevelCriteria? II { get; init; }
    [JsonPropertyName("III")] public LevelCriteria? III { get; init; }
}

/// <summary>What a response level sets in motion: who leads, how soon the first report is due, whether a field command post opens.</summary>
public sealed record LevelRules
{
    public required LeadingTier LeadingTier { get; init; }
    /// <summary>Time from the incident being verified to the report to the leading tier. JSON: "hh:mm:ss".</summary>
    public required TimeSpan ReportDeadline { get; init; }
    /// <summary>Whether a field command post (现场指挥部) is set up.</summary>
    public required bool CommandPost { get; init; }
}

/// <summary>The bureau's grading configuration (src/Grains/Dispatch/Data/response-levels.json holds the defaults).</summary>
public sealed record ResponseLevelConfig
{
    public required Dictionary<IncidentCategory, CategoryGrading> Categories { get; init; }
    public required Dictionary<ResponseLevel, LevelRules> Levels { get; init; }
}
