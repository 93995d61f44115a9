using System.Globalization;
using System.Text.Json;
using HuaduDispatch.Contracts;

namespace HuaduDispatch.Grains.Relief;

/// <summary>Whom a line of the standard serves.</summary>
public enum ReliefGroup
{
    /// <summary>Every affected person (受灾人员), whether at home or not.</summary>
    Affected,
    /// <summary>Extra needs of people who had to leave their homes (紧急转移安置人员), on top of the <see cref="Affected"/> lines.</summary>
    Relocated,
}

/// <summary>
/// One line of the basic-living standard: <paramref name="PerPerson"/> units of the item (in the catalogue's unit, e.g. a case of
/// 12 × 1.5 L) per person of <paramref name="Group"/> for the first 24 hours, and where the figure comes from.
/// </summary>
public sealed record ReliefStandardLine(string ItemCode, ReliefGroup Group, double PerPerson, string Basis);

/// <summary>
/// The per-capita basic-living standard (基本生活救助标准) for the first 24 hours after a disaster: what the district promises to
/// bring within 3 hours (确保灾害发生后3小时内受灾人员基本生活得到有效救助). Relocated people are counted among the affected; their
/// lines add to the affected lines.
/// </summary>
/// <remarks>Quantities are rounded up to whole units per item after the two groups are summed, so a mixed demand is not rounded twice.</remarks>
public sealed class ReliefStandard
{
    /// <summary>Relative slack when rounding up, so that 1/6 case × 600 persons is 100 cases and not 101 because of binary fractions.</summary>
    private const double RoundingSlack = 1e-9;

    public ReliefStandard(IEnumerable<ReliefStandardLine> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var list = lines.ToList();
        var errors = Validate(list);
        if (errors.Count > 0) throw new ArgumentException("Invalid relief standard: " + string.Join("; ", errors), nameof(lines));
        Lines = list;
    }

    public IReadOnlyList<ReliefStandardLine> Lines { get; }

    /// <summary>
    /// The defaults for the shipped item catalogue (huadu-reference.json). Sources: the Sphere Handbook 2018 minimum standards, and
    /// China's natural-disaster relief practice of "food, clean water, clothing, a safe temporary place to stay, care when ill"
    /// (有饭吃、有干净水喝、有衣穿、有临时安全住所、有病能及时医治, 国家自然灾害救助应急预案). Figures marked "assumption" are this project's, for the
    /// bureau to confirm or replace with <see cref="FromJson"/>.
    /// </summary>
    public static ReliefStandard Default { get; } = new(
    [
        new("drinking-water", ReliefGroup.Affected, 3.0 / 18.0,
            "Sphere water supply standard 2.1: 2.5–3 L per person per day for drinking and food (survival); 3 L ÷ 18 L per case (12 × 1.5 L) = 1/6 case. China practice: 有干净水喝"),
        new("ready-meal", ReliefGroup.Affected, 3,
            "China practice 有饭吃: three meals a day; assumption: all three are self-heating ready meals in the first 24 h, before kitchens run (~2,100 kcal/day, Sphere food security standard 6.1)"),
        new("blanket", ReliefGroup.Affected, 1,
            "Sphere shelter standard 4: at least one blanket or sleeping mat per person; assumption: a blanket in Guangzhou's climate (a quilt may replace it in winter)"),
        new("hygiene-kit", ReliefGroup.Affected, 1.0 / 3.0,
            "Sphere WASH hygiene promotion standard 1.2 (hygiene items per household); assumption: one kit per household of about 3 persons"),
        new("lighting", ReliefGroup.Affected, 1.0 / 3.0,
            "Assumption: typhoons and floods cut the power; one emergency lamp per household of about 3 persons (Sphere NFI household lighting)"),
        new("first-aid-kit", ReliefGroup.Affected, 1.0 / 30.0,
            "China practice 有病能及时医治; assumption: one first-aid kit per 10 households (about 30 persons) until medical teams arrive"),
        new("folding-bed", ReliefGroup.Relocated, 1,
            "Sphere shelter standard 4 (sleeping space per person); China shelter practice 有临时安全住所: one bed per relocated person"),
        new("tent", ReliefGroup.Relocated, 1.0 / 4.0,
            "Sphere shelter standard 3: at least 3.5 m² covered space per person; a 12 m² relief tent holds about 4 (assumption: every relocated person may need tent space when shelters are full or unsafe)"),
        new("clothing", ReliefGroup.Relocated, 1,
            "China practice 有衣穿; assumption: relocated people left with what they wore, one set of clothing each"),
        new("disinfectant", ReliefGroup.Relocated, 1.0 / 50.0,
            "Assumption: one 5 L bottle of disinfectant per 50 relocated persons for shelter sanitation (灾后消杀), cf. the Sphere WASH excreta management standards"),
    ]);

    /// <summary>A copy of this standard with more lines (for a hazard-specific supplement, e.g. raincoats in a typhoon).</summary>
    public ReliefStandard With(params ReliefStandardLine[] extra) => new(Lines.Concat(extra));

    /// <summary>
    /// Reads a standard from JSON: <c>{"lines":[{"itemCode":"drinking-water","group":"Affected","perPerson":0.1667,"basis":"..."}]}</c>.
    /// A line may give <c>personsPerUnit</c> instead of <c>perPerson</c> (a hygiene kit per 3 persons is <c>"personsPerUnit": 3</c>).
    /// </summary>
    /// <exception cref="ArgumentException">The JSON is malformed or the standard breaks a rule; the message lists every problem.</exception>
    public static ReliefStandard FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        StandardFile? file;
        try
        {
            file = JsonSerializer.Deserialize<StandardFile>(json, DispatchJson.Options);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"Invalid relief standard: not valid JSON for a standard: {e.Message}", nameof(json), e);
        }
        if (file?.Lines is null) throw new ArgumentException("Invalid relief standard: 'lines' is missing.", nameof(json));

        var errors = new List<string>();
        var lines = new List<ReliefStandardLine>();
        for (var i = 0; i < file.Lines.Count; i++)
        {
            var l = file.Lines[i];
            if (l is null) { errors.Add($"lines[{i}] is null"); continue; }
            var before = errors.Count;
            if (l.Group is null) errors.Add($"lines[{i}].group is missing (Affected or Relocated)");
            if (l.PerPerson is not null == l.PersonsPerUnit is not null)
                errors.Add($"lines[{i}] must give exactly one of perPerson and personsPerUnit");
            else if (l.PersonsPerUnit is { } n && (!double.IsFinite(n) || n <= 0))
                errors.Add($"lines[{i}].personsPerUnit must be a finite positive number, was {n.ToString(CultureInfo.InvariantCulture)}");
            if (errors.Count > before) continue;
            lines.Add(new ReliefStandardLine(l.ItemCode ?? "", l.Group!.Value, l.PerPerson ?? 1.0 / l.PersonsPerUnit!.Value, l.Basis ?? ""));
        }
        errors.AddRange(Validate(lines));
        if (errors.Count > 0) throw new ArgumentException("Invalid relief standard: " + string.Join("; ", errors), nameof(json));
        return new ReliefStandard(lines);
    }

    /// <summary>The rules every standard keeps: item codes given, rates finite and positive, a basis stated, no item twice in a group.</summary>
    public static IReadOnlyList<string> Validate(IReadOnlyList<ReliefStandardLine> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var errors = new List<string>();
        if (lines.Count == 0) errors.Add("the standard has no lines");
        var seen = new HashSet<(string, ReliefGroup)>();
        for (var i = 0; i < lines.Count; i++)
        {
            var l = lines[i];
            if (l is null) { errors.Add($"line {i} is null"); continue; }
            if (string.IsNullOrWhiteSpace(l.ItemCode)) errors.Add($"line {i}: itemCode is empty");
            if (!Enum.IsDefined(l.Group)) errors.Add($"line {i} ({l.ItemCode}): unknown group {(int)l.Group}");
            if (!double.IsFinite(l.PerPerson) || l.PerPerson <= 0)
                errors.Add($"line {i} ({l.ItemCode}): perPerson must be a finite positive number, was {l.PerPerson.ToString(CultureInfo.InvariantCulture)}");
            if (string.IsNullOrWhiteSpace(l.Basis)) errors.Add($"line {i} ({l.ItemCode}): basis is empty; say where the figure comes from");
            if (!string.IsNullOrWhiteSpace(l.ItemCode) && !seen.Add((l.ItemCode, l.Group)))
                errors.Add($"line {i}: {l.ItemCode} appears twice in group {l.Group}");
        }
        return errors;
    }

    /// <summary>Item codes of this standard that the catalogue does not define (empty when the standard fits the catalogue).</summary>
    public IReadOnlyList<string> UnknownItems(IEnumerable<ReliefItem> catalogue)
    {
        ArgumentNullException.ThrowIfNull(catalogue);
        var known = catalogue.Select(i => i.Code).ToHashSet(StringComparer.Ordinal);
        return [.. Lines.Select(l => l.ItemCode).Distinct(StringComparer.Ordinal).Where(c => !known.Contains(c))];
    }

    /// <summary>
    /// What <paramref name="affected"/> people, of whom <paramref name="relocated"/> left their homes, need for the first 24 hours:
    /// per item, Σ rate × persons over both groups, rounded up to whole units. Items with nothing to bring are left out; the order
    /// is the order of first appearance in <see cref="Lines"/>.
    /// </summary>
    public IReadOnlyList<(string ItemCode, long Quantity)> Demand(int affected, int relocated)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(affected);
        ArgumentOutOfRangeException.ThrowIfNegative(relocated);
        if (relocated > affected)
            throw new ArgumentOutOfRangeException(nameof(relocated), relocated, $"Relocated people are among the affected: {relocated} > {affected}.");

        var totals = new Dictionary<string, double>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var line in Lines)
        {
            var persons = line.Group == ReliefGroup.Affected ? affected : relocated;
            if (!totals.TryGetValue(line.ItemCode, out var sum)) order.Add(line.ItemCode);
            totals[line.ItemCode] = sum + line.PerPerson * persons;
        }
        var result = new List<(string, long)>(order.Count);
        foreach (var code in order)
        {
            var quantity = RoundUp(totals[code]);
            if (quantity > 0) result.Add((code, quantity));
        }
        return result;
    }

    /// <summary><see cref="Demand"/> as the per-demand kit a <see cref="ReliefDemandInput"/> takes.</summary>
    public IReadOnlyDictionary<string, long> Kit(int affected, int relocated) =>
        Demand(affected, relocated).ToDictionary(l => l.ItemCode, l => l.Quantity, StringComparer.Ordinal);

    /// <summary>
    /// The most of <paramref name="affected"/> people (of whom <paramref name="relocated"/> left their homes) whose whole kit
    /// <paramref name="have"/> holds: the largest p whose own kit (<see cref="Kit"/> for p people, the relocated among them in
    /// the same proportion) fits. A share of the whole group's rounded-up need undercounts: 10 first-aid kits at one per 30
    /// people are the whole need of 300 people, although they are 10 of the 12 that 350 people need.
    /// </summary>
    public int PeopleCovered(int affected, int relocated, Func<string, long> have)
    {
        ArgumentNullException.ThrowIfNull(have);
        bool Fits(int p) => Kit(p, (int)((long)relocated * p / Math.Max(1, affected))).All(kv => have(kv.Key) >= kv.Value);
        if (affected <= 0) return 0;
        if (Fits(affected)) return affected;
        int low = 0, high = affected - 1; // Fits(0) holds (nobody needs nothing); the answer is at most high
        while (low < high)
        {
            var mid = low + (high - low + 1) / 2;
            if (Fits(mid)) low = mid;
            else high = mid - 1;
        }
        return low;
    }

    internal static long RoundUp(double value) => (long)Math.Ceiling(value - RoundingSlack * Math.Max(1, Math.Abs(value)));

    private sealed class StandardFile
    {
        public List<LineDto?>? Lines { get; set; }
    }

    private sealed class LineDto
    {
        public string? ItemCode { get; set; }
        public ReliefGroup? Group { get; set; }
        public double? PerPerson { get; set; }
        public double? PersonsPerUnit { get; set; }
        public string? Basis { get; set; }
    }
}
