using HuaduDispatch.Contracts;

namespace HuaduDispatch.Grains.Dispatch.Rules;

/// <summary>
/// The report upward (向上级报告) an incident owes: due within its level's period (<see cref="LevelRules.ReportDeadline"/>) of
/// the grading, owed until a report is recorded as made. A level change never moves an owed report later; after a report, an
/// escalation owes a new one and a downgrade none. Until the thirty-first session every level change set the deadline to now
/// plus the new level's period (a downgrade II -> III 13 s after the grading moved the report owed to the city 30 min later),
/// nothing watched it and no call recorded the report (the typhoon-night tester's F7).
/// </summary>
public static class ReportUpwardRules
{
    /// <summary>The longest reference (a document number) a report takes.</summary>
    public const int MaxReferenceLength = UpwardReportRequest.MaxReferenceLength;

    /// <summary>A report owed: due by <paramref name="DueBy"/>, to <paramref name="Tier"/>.</summary>
    public readonly record struct Owed(DateTimeOffset DueBy, LeadingTier Tier);

    /// <summary>
    /// The report owed after the level goes from <paramref name="from"/> to <paramref name="to"/> at <paramref name="now"/>
    /// (<paramref name="tier"/> leads at <paramref name="to"/>, whose period is <paramref name="period"/>), given the report owed
    /// before (<paramref name="owed"/>, null when the last was recorded as made). The first grading owes one. An owed report
    /// stays owed: due by the earlier of its time and now + the new period, to the more senior tier of the two. With none owed,
    /// a more severe level owes a new one; a less severe one owes none.
    /// </summary>
    public static Owed? OnLevel(Owed? owed, bool first, ResponseLevel from, ResponseLevel to, LeadingTier tier, TimeSpan period, DateTimeOffset now)
    {
        var fresh = new Owed(now + period, tier);
        if (first) return fresh;
        if (owed is { } o) return new Owed(o.DueBy <= fresh.DueBy ? o.DueBy : fresh.DueBy, o.Tier >= tier ? o.Tier : tier);
        return to < from ? fresh : null; // I is the most severe (1)
    }

    /// <summary>
    /// The report the survivor of a merge owes: the two incidents are one case, so an owed report stays owed (the earlier due
    /// time, the more senior tier of the two), and one the merged incident made to a tier at least as senior as the survivor
    /// owes settles the survivor's (the case was reported there). Until the thirty-second session the merged incident's report
    /// state was dropped: an overdue report to the City got a fresh due time at the survivor, and one made was owed again.
    /// </summary>
    public static Owed? OnMerge(Owed? survivor, Owed? merged, LeadingTier? mergedReportedTo)
    {
        if (merged is { } m)
            return survivor is { } s ? new Owed(s.DueBy <= m.DueBy ? s.DueBy : m.DueBy, s.Tier >= m.Tier ? s.Tier : m.Tier) : m;
        if (survivor is { } o && mergedReportedTo is { } to && to >= o.Tier) return null;
        return survivor;
    }

    /// <summary>Whether a report made to <paramref name="to"/> settles the one owed (a report to a less senior tier does not).</summary>
    public static bool Settles(Owed? owed, LeadingTier to) => owed is not { } o || to >= o.Tier;

    /// <summary>Whether the owed report is past due and its ReportOverdue not yet raised (<paramref name="raisedFor"/>: the due time it was raised for).</summary>
    public static bool IsOverdue(Owed? owed, DateTimeOffset? raisedFor, DateTimeOffset now) =>
        owed is { } o && now >= o.DueBy && raisedFor != o.DueBy;

    /// <summary>The ReportOverdue entry's text, in district time.</summary>
    public static string OverdueSummary(Owed owed) =>
        $"report upward to {owed.Tier} was due by {DistrictTime.Text(owed.DueBy)}; not recorded as made";

    /// <summary>What a level change's timeline entry says of the report upward after it.</summary>
    public static string LevelSummary(Owed? owed, DateTimeOffset? reportedAt) => owed is { } o
        ? $"report upward by {DistrictTime.Text(o.DueBy)}"
        : $"no report upward owed (reported at {(reportedAt is { } at ? DistrictTime.Text(at) : "?")}; a less severe level owes none)";

    /// <summary>
    /// The report as recorded: the tier (<paramref name="leadingNow"/> when none is given), the reference and the note trimmed
    /// (blank is none). A reference over <see cref="MaxReferenceLength"/> characters is a 400 naming it.
    /// </summary>
    public static (LeadingTier To, string? Reference, string? Note) Check(UpwardReportRequest request, LeadingTier leadingNow)
    {
        if (request.To is { } given && !Enum.IsDefined(given)) throw DomainException.Invalid("to", $"unknown tier {given}; the tiers are {string.Join(", ", Enum.GetNames<LeadingTier>())}");
        var reference = string.IsNullOrWhiteSpace(request.Reference) ? null : request.Reference.Trim();
        if (reference is { Length: > MaxReferenceLength })
            throw DomainException.Invalid("reference", $"reference is {reference.Length} characters long; at most {MaxReferenceLength} are accepted");
        var note = string.IsNullOrWhiteSpace(request.Note) ? null : request.Note.Trim();
        return (request.To ?? leadingNow, reference, note);
    }

    /// <summary>The ReportedUpward entry's text: to whom, the reference and note, and how it stood with the report owed.</summary>
    public static string ReportedSummary(LeadingTier to, string? reference, string? note, Owed? owed, DateTimeOffset now)
    {
        var text = $"reported upward to {to}" + (reference is null ? "" : $", reference {reference}") + (note is null ? "" : $": {note}");
        if (owed is { } owing && to < owing.Tier)
            return text + $"; the report owed to {owing.Tier} by {DistrictTime.Text(owing.DueBy)} is still owed";
        return text + (owed is { } o
            ? (now > o.DueBy ? $" (late: it was due by {DistrictTime.Text(o.DueBy)})" : $" (due by {DistrictTime.Text(o.DueBy)})")
            : " (none was owed: a report again)");
    }
}
