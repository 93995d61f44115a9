using System.Globalization;
using HuaduDispatch.Contracts;

namespace HuaduDispatch.Grains.Dispatch;

/// <summary>
/// Grades an incident into a response level (分级响应, I most severe … IV) from its assessment, with criteria configured per
/// national category, and says what each level sets in motion. Pure and immutable: the configuration is copied and checked
/// once, in the constructor.
/// </summary>
public sealed class ResponseLevelPolicy
{
    /// <summary>One numeric criterion: its JSON name, its wording in explanations, its threshold and the figure it reads.</summary>
    private sealed record Criterion(string Name, string Label, Func<LevelCriteria, decimal?> Threshold, Func<Assessment, decimal> Value);

    private static readonly Criterion[] Criteria =
    [
        new("dead", "dead", c => c.Dead, a => a.Dead),
        new("missing", "missing", c => c.Missing, a => a.Missing),
        new("deadOrMissing", "dead or missing", c => c.DeadOrMissing, a => (decimal)a.Dead + a.Missing),
        new("seriouslyInjured", "seriously injured", c => c.SeriouslyInjured, a => a.SeriouslyInjured),
        new("injured", "injured", c => c.Injured, a => a.Injured),
        new("trapped", "trapped", c => c.Trapped, a => a.Trapped),
        new("affected", "affected", c => c.Affected, a => a.Affected),
        new("relocated", "relocated", c => c.Relocated, a => a.Relocated),
        new("directLossCny", "CNY direct loss", c => c.DirectLossCny, a => a.DirectLossCny),
    ];

    /// <summary>Levels that have criteria, most severe first; IV is what remains.</summary>
    private static readonly ResponseLevel[] GradedLevels = [ResponseLevel.I, ResponseLevel.II, ResponseLevel.III];

    private readonly Dictionary<IncidentCategory, CategoryGrading> _categories;
    private readonly Dictionary<ResponseLevel, LevelRules> _levels;

    public ResponseLevelPolicy(ResponseLevelConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var errors = Validate(config);
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid response level configuration: " + string.Join("; ", errors), nameof(config));
        }
        _categories = new Dictionary<IncidentCategory, CategoryGrading>(config.Categories);
        _levels = new Dictionary<ResponseLevel, LevelRules>(config.Levels);
    }

    /// <summary>The policy built from <see cref="DefaultConfig"/>.</summary>
    public static ResponseLevelPolicy Default { get; } = new(DefaultConfig);

    /// <summary>
    /// The shipped defaults (the same values as src/Grains/Dispatch/Data/response-levels.json). A new instance on every call,
    /// so a caller that edits it cannot change anybody else's defaults.
    /// </summary>
    public static ResponseLevelConfig DefaultConfig => new()
    {
        Categories = new()
        {
            // Assumption (the bureau sets the real figures): the national natural-disaster relief plans grade by dead or missing,
            // people relocated and loss; the figures are scaled to a district of 1.1 million people and the loss thresholds
            // follow the accident grading.
            [IncidentCategory.NaturalDisaster] = new CategoryGrading
            {
                Basis = "Assumption, to be set by the district bureau: dead or missing 30/10/3, people relocated 100,000/10,000/1,000, "
                    + "direct loss 100/50/10 million CNY for levels I/II/III.",
                I = new LevelCriteria { DeadOrMissing = 30, Relocated = 100_000, DirectLossCny = 100_000_000m },
                II = new LevelCriteria { DeadOrMissing = 10, Relocated = 10_000, DirectLossCny = 50_000_000m },
                III = new LevelCriteria { DeadOrMissing = 3, Relocated = 1_000, DirectLossCny = 10_000_000m },
            },
            // Fact: 生产安全事故报告和调查处理条例 (State Council Decree 493), article 3. Deaths only: missing people count when the
            // bureau configures DeadOrMissing. "Seriously injured" includes acute industrial poisoning.
            [IncidentCategory.AccidentDisaster] = new CategoryGrading
            {
                Basis = "生产安全事故报告和调查处理条例 (State Council Decree 493) art. 3: 30/10/3 dead, 100/50/10 seriously injured "
                    + "(incl. acute industrial poisoning), direct loss 100/50/10 million CNY for levels I/II/III; below: IV.",
                I = new LevelCriteria { Dead = 30, SeriouslyInjured = 100, DirectLossCny = 100_000_000m },
                II = new LevelCriteria { Dead = 10, SeriouslyInjured = 50, DirectLossCny = 50_000_000m },
                III = new LevelCriteria { Dead = 3, SeriouslyInjured = 10, DirectLossCny = 10_000_000m },
            },
            // Assumption: the national public-health plan grades by case counts, which an Assessment does not carry. These figures
            // follow the casualty scale of the accident grading, and level III also takes the food-safety rule of thumb
            // (a death, or 100+ people made ill, is 较大).
            [IncidentCategory.PublicHealth] = new CategoryGrading
            {
                Basis = "Assumption, to be set by the district bureau: dead 30/10/1, seriously ill or injured 100/50/10 for levels "
                    + "I/II/III, and 100+ ill or injured (any severity) for level III.",
                I = new LevelCriteria { Dead = 30, SeriouslyInjured = 100 },
                II = new LevelCriteria { Dead = 10, SeriouslyInjured = 50 },
                III = new LevelCriteria { Dead = 1, SeriouslyInjured = 10, Injured = 100 },
            },
            // Assumption: casualties on the accident scale (local plans grade stampedes and attacks the same way).
            [IncidentCategory.SocialSafety] = new CategoryGrading
            {
                Basis = "Assumption, to be set by the district bureau: dead 30/10/3, seriously injured 100/50/10 for levels I/II/III.",
                I = new LevelCriteria { Dead = 30, SeriouslyInjured = 100 },
                II = new LevelCriteria { Dead = 10, SeriouslyInjured = 50 },
                III = new LevelCriteria { Dead = 3, SeriouslyInjured = 10 },
            },
        },
        Levels = new()
        {
            [ResponseLevel.I] = new LevelRules { LeadingTier = LeadingTier.Province, ReportDeadline = TimeSpan.FromMinutes(30), CommandPost = true },
            [ResponseLevel.II] = new LevelRules { LeadingTier = LeadingTier.City, ReportDeadline = TimeSpan.FromMinutes(30), CommandPost = true },
            [ResponseLevel.III] = new LevelRules { LeadingTier = LeadingTier.DistrictCommand, ReportDeadline = TimeSpan.FromHours(1), CommandPost = true },
            [ResponseLevel.IV] = new LevelRules { LeadingTier = LeadingTier.DistrictBureau, ReportDeadline = TimeSpan.FromHours(2), CommandPost = false },
        },
    };

    /// <summary>Reads a configuration in the shape of response-levels.json (camelCase, enum names, TimeSpan "hh:mm:ss").</summary>
    /// <exception cref="ArgumentException">Not valid JSON, an unknown property, or a configuration that fails the checks.</exception>
    public static ResponseLevelPolicy FromJson(string json) =>
        new(PolicyJson.Deserialize<ResponseLevelConfig>(json, "response level configuration"));

    /// <summary>A copy of the configuration in force.</summary>
    public ResponseLevelConfig Config => new() { Categories = new(_categories), Levels = new(_levels) };

    /// <summary>The most severe level whose criteria the assessment meets (any one criterion suffices), else IV.</summary>
    public ResponseLevel Grade(IncidentCategory category, Assessment assessment) => Decide(category, assessment).Level;

    public ResponseLevel Grade(IncidentType type, Assessment assessment) => Grade(IncidentTypes.CategoryOf(type), assessment);

    public LevelRules RulesFor(ResponseLevel level) =>
        _levels.TryGetValue(level, out var rules) ? rules : throw new ArgumentOutOfRangeException(nameof(level), level, "unknown response level");

    /// <summary>Why the assessment gets its level, e.g. "III: 4 dead ≥ 3 (AccidentDisaster)".</summary>
    public string Explain(IncidentCategory category, Assessment a)
    {
        var (level, met) = Decide(category, a);
        if (met.Count > 0) return $"{level}: {string.Join(", ", met)} ({category})";

        var grading = _categories[category];
        ResponseLevel? leastSevere = null;
        foreach (var graded in GradedLevels)
        {
            if (CriteriaOf(grading, graded) is not null) leastSevere = graded;
        }
        return leastSevere is { } l
            ? $"IV: below every level {l} criterion ({category})"
            : $"IV: no level I–III criteria are configured ({category})";
    }

    public string Explain(IncidentType type, Assessment a) => Explain(IncidentTypes.CategoryOf(type), a);

    private (ResponseLevel Level, List<string> Met) Decide(IncidentCategory category, Assessment assessment)
    {
        ArgumentNullException.ThrowIfNull(assessment);
        if (!_categories.TryGetValue(category, out var grading))
        {
            throw new ArgumentOutOfRangeException(nameof(category), category, "unknown incident category");
        }
        foreach (var level in GradedLevels)
        {
            if (CriteriaOf(grading, level) is not { } criteria) continue;
            var met = Met(criteria, assessment);
            if (met.Count > 0) return (level, met);
        }
        return (ResponseLevel.IV, []);
    }

    private static List<string> Met(LevelCriteria criteria, Assessment a)
    {
        var met = new List<string>();
        foreach (var c in Criteria)
        {
            if (c.Threshold(criteria) is { } threshold && c.Value(a) is var value && value >= threshold)
            {
                met.Add($"{Figure(value)} {c.Label} ≥ {Figure(threshold)}");
            }
        }
        if (criteria.HazardousMaterials == true && a.HazardousMaterials) met.Add("hazardous materials involved");
        return met;
    }

    private static string Figure(decimal value) => value.ToString("#,0.##", CultureInfo.InvariantCulture);

    private static LevelCriteria? CriteriaOf(CategoryGrading grading, ResponseLevel level) => level switch
    {
        ResponseLevel.I => grading.I,
        ResponseLevel.II => grading.II,
        ResponseLevel.III => grading.III,
        _ => null,
    };

    private static List<string> Validate(ResponseLevelConfig config)
    {
        var errors = new List<string>();
        if (config.Categories is null) errors.Add("categories is missing");
        else
        {
            foreach (var key in config.Categories.Keys.Where(k => !Enum.IsDefined(k))) errors.Add($"categories: unknown category {key}");
            foreach (var category in Enum.GetValues<IncidentCategory>())
            {
                if (!config.Categories.TryGetValue(category, out var grading) || grading is null)
                {
                    errors.Add($"categories.{category} is missing");
                    continue;
                }
                ValidateGrading(category, grading, errors);
            }
        }

        if (config.Levels is null) errors.Add("levels is missing");
        else
        {
            foreach (var key in config.Levels.Keys.Where(k => !Enum.IsDefined(k))) errors.Add($"levels: unknown level {key}");
            foreach (var level in Enum.GetValues<ResponseLevel>())
            {
                if (!config.Levels.TryGetValue(level, out var rules) || rules is null)
                {
                    errors.Add($"levels.{level} is missing");
                    continue;
                }
                if (rules.ReportDeadline <= TimeSpan.Zero)
                    errors.Add($"levels.{level}.reportDeadline must be positive (it is {rules.ReportDeadline})");
                if (!Enum.IsDefined(rules.LeadingTier)) errors.Add($"levels.{level}.leadingTier: unknown tier {rules.LeadingTier}");
            }
        }
        return errors;
    }

    private static void ValidateGrading(IncidentCategory category, CategoryGrading grading, List<string> errors)
    {
        foreach (var level in GradedLevels)
        {
            if (CriteriaOf(grading, level) is not { } criteria) continue;
            var path = $"categories.{category}.{level}";
            var used = 0;
            foreach (var c in Criteria)
            {
                if (c.Threshold(criteria) is not { } threshold) continue;
                used++;
                if (threshold <= 0)
                    errors.Add($"{path}.{c.Name} must be positive (it is {Figure(threshold)}; a threshold of 0 would put every incident at level {level})");
            }
            if (criteria.HazardousMaterials is { } hazardous)
            {
                used++;
                if (!hazardous) errors.Add($"{path}.hazardousMaterials: false has no meaning; use true to raise the level, or leave it out");
            }
            if (used == 0) errors.Add($"{path} has no criterion; leave the level out (null) if it is not graded");
        }

        // A more severe level must not be easier to reach than a less severe one on the same criterion.
        for (var i = 0; i < GradedLevels.Length; i++)
        {
            for (var j = i + 1; j < GradedLevels.Length; j++)
            {
                var (severe, lesser) = (GradedLevels[i], GradedLevels[j]);
                if (CriteriaOf(grading, severe) is not { } s || CriteriaOf(grading, lesser) is not { } l) continue;
                foreach (var c in Criteria)
                {
                    if (c.Threshold(s) is { } st && c.Threshold(l) is { } lt && st < lt)
                    {
                        errors.Add($"categories.{category}: {c.Name} threshold of level {severe} ({Figure(st)}) is below that of "
                            + $"level {lesser} ({Figure(lt)}); thresholds must not fall as severity rises (I ≥ II ≥ III)");
                    }
                }
            }
        }
    }
}
