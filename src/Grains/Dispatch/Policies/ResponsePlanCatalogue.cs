using System.Collections.ObjectModel;
using HuaduDispatch.Contracts;

namespace HuaduDispatch.Grains.Dispatch;

/// <summary>
/// The response plans (应急预案) as risk–task modules (风险—任务型应急救援编组模块): for each incident type and response level,
/// the team modules a response activates. Checked once on construction and immutable afterwards; the default data is
/// src/Grains/Dispatch/Data/response-plans.json.
/// </summary>
public sealed class ResponsePlanCatalogue
{
    /// <summary>Most severe first, as the fallback walks them backwards (I→II→III→IV).</summary>
    private static readonly ResponseLevel[] Levels = [ResponseLevel.I, ResponseLevel.II, ResponseLevel.III, ResponseLevel.IV];

    private readonly Dictionary<(IncidentType, ResponseLevel), IReadOnlyList<ModuleRequirement>> _modules = [];

    /// <exception cref="ArgumentException">Lists every problem: a count below 1, a duplicate (type, level), a type without a
    /// level IV entry, or a more severe level asking for fewer teams in total than a less severe one of the same type.</exception>
    public ResponsePlanCatalogue(IReadOnlyList<ResponsePlanEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var errors = Validate(entries);
        if (errors.Count > 0) throw new ArgumentException("Invalid response plans: " + string.Join("; ", errors), nameof(entries));

        Entries = new ReadOnlyCollection<ResponsePlanEntry>([.. entries]);
        var byKey = entries.ToDictionary(e => (e.Type, e.Level));
        foreach (var type in Enum.GetValues<IncidentType>())
        {
            for (var i = 0; i < Levels.Length; i++)
            {
                // The exact entry, else the nearest less severe level of the type; IV always exists (checked above).
                var entry = Levels.Skip(i).Select(l => byKey.GetValueOrDefault((type, l))).First(e => e is not null)!;
                _modules[(type, Levels[i])] = new ReadOnlyCollection<ModuleRequirement>(
                [
                    .. entry.Modules
                        .GroupBy(m => m.Capability)
                        .OrderBy(g => g.Key)
                        .Select(g => new ModuleRequirement { Capability = g.Key, Count = g.Sum(m => m.Count) }),
                ]);
            }
        }
    }

    /// <summary>Reads a JSON array of <see cref="ResponsePlanEntry"/> (the shape of response-plans.json).</summary>
    /// <exception cref="ArgumentException">Not valid JSON, an unknown property, or entries that fail the checks.</exception>
    public static ResponsePlanCatalogue FromJson(string json) =>
        new(PolicyJson.Deserialize<List<ResponsePlanEntry>>(json, "response plan list"));

    /// <summary>The entries as given.</summary>
    public IReadOnlyList<ResponsePlanEntry> Entries { get; }

    /// <summary>
    /// The modules for a type at a level: the exact entry, else the nearest less severe level defined for the type
    /// (a missing level I falls back to II, then III, then IV); one line per capability with the counts summed, in capability order.
    /// </summary>
    public IReadOnlyList<ModuleRequirement> ModulesFor(IncidentType type, ResponseLevel level) =>
        _modules.TryGetValue((type, level), out var modules)
            ? modules
            : throw new ArgumentOutOfRangeException(Enum.IsDefined(type) ? nameof(level) : nameof(type), $"unknown incident type or level: {type}, {level}");

    /// <summary>
    /// The most teams one module of a plan may ask for. The district has a few dozen teams and a level I response draws on the
    /// city's and the province's too, so a plan asking for more in one module is a mistake; the limit also keeps the sums of a
    /// plan's counts far from overflowing.
    /// </summary>
    public const int MaxModuleCount = 1000;

    private static List<string> Validate(IReadOnlyList<ResponsePlanEntry> entries)
    {
        var errors = new List<string>();
        var totals = new Dictionary<(IncidentType Type, ResponseLevel Level), long>();
        for (var i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            if (e is null)
            {
                errors.Add($"[{i}] is null");
                continue;
            }
            var name = $"[{i}] {e.Type} {e.Level}";
            var valid = true;
            if (!Enum.IsDefined(e.Type)) { errors.Add($"{name}: unknown incident type"); valid = false; }
            if (!Enum.IsDefined(e.Level)) { errors.Add($"{name}: unknown response level"); valid = false; }
            if (e.Modules is null || e.Modules.Count == 0)
            {
                errors.Add($"{name}: no modules");
                valid = false;
            }
            else
            {
                foreach (var m in e.Modules)
                {
                    if (m is null) { errors.Add($"{name}: a module is null"); valid = false; continue; }
                    if (!Enum.IsDefined(m.Capability)) { errors.Add($"{name}: unknown capability {m.Capability}"); valid = false; }
                    if (m.Count is < 1 or > MaxModuleCount)
                    {
                        errors.Add($"{name}: {m.Capability} count must be from 1 to {MaxModuleCount} (it is {m.Count})");
                        valid = false;
                    }
                }
            }
            if (!valid) continue;
            if (!totals.TryAdd((e.Type, e.Level), e.Modules!.Sum(m => (long)m.Count)))
            {
                errors.Add($"{name}: duplicate entry for {e.Type} at level {e.Level}");
            }
        }

        foreach (var type in Enum.GetValues<IncidentType>())
        {
            // Looks at the raw entries so that an invalid level IV entry is reported once, for what is wrong with it.
            if (!entries.Any(e => e is not null && e.Type == type && e.Level == ResponseLevel.IV))
            {
                errors.Add($"{type}: no level IV entry (every type needs at least its level IV modules)");
            }
            // Every pair of defined levels, not only neighbours, so a gap (I and III defined, II not) is still compared.
            var defined = Levels.Where(l => totals.ContainsKey((type, l))).ToList();
            for (var i = 0; i < defined.Count; i++)
            {
                for (var j = i + 1; j < defined.Count; j++)
                {
                    long severe = totals[(type, defined[i])], lesser = totals[(type, defined[j])];
                    if (severe < lesser)
                    {
                        errors.Add($"{type}: level {defined[i]} asks for {severe} teams in total, fewer than the {lesser} of level "
                            + $"{defined[j]}; a more severe level must not field fewer teams");
                    }
                }
            }
        }
        return errors;
    }
}
