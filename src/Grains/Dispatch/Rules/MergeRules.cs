using HuaduDispatch.Contracts;

namespace HuaduDispatch.Grains.Dispatch.Rules;

/// <summary>
/// What a surviving incident takes in when another is merged into it: the two reports are one case, so nothing either knew
/// is dropped. Figures are added (each report counted its own callers' people; a dispatcher corrects them if both counted
/// the same), and the more severe level stands.
/// </summary>
public static class MergeRules
{
    /// <summary>
    /// The survivor's figures with the merged incident's added (each capped at what one figure may hold; hazardous materials if
    /// either had them), and what was added in words, or null when the merged incident had no figure to add.
    /// </summary>
    public static (Assessment Sum, string? Added) AddFigures(Assessment survivor, Assessment merged)
    {
        ArgumentNullException.ThrowIfNull(survivor);
        ArgumentNullException.ThrowIfNull(merged);
        static int Add(int a, int b) => (int)Math.Min((long)a + b, IncidentInputRules.MaxPeople);
        var sum = new Assessment
        {
            Dead = Add(survivor.Dead, merged.Dead), Missing = Add(survivor.Missing, merged.Missing),
            SeriouslyInjured = Add(survivor.SeriouslyInjured, merged.SeriouslyInjured), Injured = Add(survivor.Injured, merged.Injured),
            Trapped = Add(survivor.Trapped, merged.Trapped), Affected = Add(survivor.Affected, merged.Affected),
            Relocated = Add(survivor.Relocated, merged.Relocated),
            DirectLossCny = Math.Min(survivor.DirectLossCny + merged.DirectLossCny, IncidentInputRules.MaxDirectLossCny),
            HazardousMaterials = survivor.HazardousMaterials || merged.HazardousMaterials,
        };
        var parts = new List<string>();
        void Say(string name, int was, int added, int now)
        {
            if (added > 0) parts.Add($"{name} {was:N0} + {added:N0} = {now:N0}");
        }
        Say("dead", survivor.Dead, merged.Dead, sum.Dead);
        Say("missing", survivor.Missing, merged.Missing, sum.Missing);
        Say("seriously injured", survivor.SeriouslyInjured, merged.SeriouslyInjured, sum.SeriouslyInjured);
        Say("injured", survivor.Injured, merged.Injured, sum.Injured);
        Say("trapped", survivor.Trapped, merged.Trapped, sum.Trapped);
        Say("affected", survivor.Affected, merged.Affected, sum.Affected);
        Say("relocated", survivor.Relocated, merged.Relocated, sum.Relocated);
        if (merged.DirectLossCny > 0) parts.Add($"direct loss {survivor.DirectLossCny:N0} + {merged.DirectLossCny:N0} = {sum.DirectLossCny:N0} CNY");
        if (merged.HazardousMaterials && !survivor.HazardousMaterials) parts.Add("hazardous materials");
        return parts.Count == 0 ? (survivor, null) : (sum, string.Join(", ", parts));
    }

    /// <summary>
    /// The survivor's level after the merge, with its reason: the most severe of its own, the merged incident's and what the
    /// figures together grade. Never less severe than before: a merge proposes no downgrade (a commander may set one). A level a
    /// commander set below the figures' grading (<paramref name="heldAgainst"/>) stands against figures grading no more severe.
    /// </summary>
    public static (ResponseLevel Level, string Reason) LevelAfterMerge(ResponseLevel survivor, ResponseLevel merged, string mergedReason,
        ResponseLevel graded, string gradedReason, ResponseLevel? heldAgainst = null)
    {
        if (heldAgainst is { } held && graded >= held) graded = survivor;
        // ResponseLevel I is the most severe: a smaller value is a more severe level.
        var (level, reason) = merged < survivor ? (merged, mergedReason) : (survivor, "");
        return graded < level ? (graded, gradedReason) : (level, reason);
    }
}
