namespace HuaduDispatch.Grains.Relief;

/// <summary>Configuration section "Relief".</summary>
public sealed class ReliefOptions
{
    public const string Section = "Relief";

    /// <summary>The district's promise: basic living needs relieved within this time of the disaster (3 h).</summary>
    public TimeSpan Deadline { get; set; } = TimeSpan.FromHours(3);
    /// <summary>
    /// How long after the disaster relief that missed the deadline is still planned (<see cref="LateRelief"/>): a demand past its
    /// deadline, or one the plan for the deadline sends nothing to, gets best-effort convoys from what that plan leaves, until
    /// this long after occurredAt. Default 24 h, the period the basic-living standard's kit is for. Equal to
    /// <see cref="Deadline"/> turns late relief off.
    /// </summary>
    public TimeSpan LateReliefUntil { get; set; } = TimeSpan.FromHours(24);
    /// <summary>
    /// Relocated people placed in a shelter farther than this from their incident raise a <c>ShelterFar</c> alert (default 5 km:
    /// farther than people walk with their belongings; the coordinator arranges transport or a nearer place).
    /// </summary>
    public double ShelterFarKm { get; set; } = 5;
    /// <summary>An AtRisk alert is raised this long before the deadline when relief is not complete.</summary>
    public TimeSpan AtRiskBefore { get; set; } = TimeSpan.FromMinutes(30);
    /// <summary>Changes within this window are planned together.</summary>
    public TimeSpan ReplanDebounce { get; set; } = TimeSpan.FromMilliseconds(200);
    /// <summary>
    /// After a re-plan whose solve failed, the coordinator tries again this long later, doubling the delay with each failure in
    /// a row up to <see cref="ReplanRetryMax"/>; the previous plan stays in force meanwhile.
    /// </summary>
    public TimeSpan ReplanRetry { get; set; } = TimeSpan.FromSeconds(5);
    public TimeSpan ReplanRetryMax { get; set; } = TimeSpan.FromMinutes(2);
    /// <summary>
    /// A re-plan asked for by a change is also kept as a durable reminder, due this long after the request (and then every
    /// <see cref="ReplanRetryMax"/>), until a plan is made. If the coordinator's activation goes away before it plans (its node
    /// leaves or stops, taking the in-memory debounce with it), the reminder plans on the node that has it, with nobody asking
    /// again. Longer than a re-plan normally waits and takes, so it does not fire in normal running.
    /// </summary>
    public TimeSpan ReplanBackstop { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>
    /// An incident whose relief deadline passed this long ago moves from the coordinator's own state to its monthly archive
    /// (<see cref="ReliefArchive"/>): the KPI and alerts still find it, but the state written at every re-plan stops growing
    /// with every incident that ever had relief.
    /// </summary>
    public TimeSpan ArchiveAfter { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// The most of the time that re-plans triggered by changes may spend solving, in (0, 1]. After a solve that took t, the next
    /// triggered re-plan starts no sooner than t × (1 / share − 1) after it ended (<see cref="Pacing"/>): in a surge every
    /// assessment, stock movement and convoy status asks for a re-plan, and back-to-back 3 s solves would keep a core busy for
    /// good beside the API and hubs the surge needs. Small plans solve in milliseconds and are not held back; a re-plan asked for
    /// explicitly (<c>POST /api/v1/relief/plan</c>) is never paced. 1 turns pacing off.
    /// </summary>
    public double PlannerShare { get; set; } = 0.5;

    /// <summary>
    /// How far below the rest of the node a solve runs, as a Linux nice value from 0 (the same priority) to 19 (the lowest):
    /// each plan is solved on a thread of its own (<see cref="PlannerThread"/>) whose nice value is set to this (the node runs
    /// at 0 unless started otherwise), so that when requests, console deltas and a solve want the same cores, the solve waits.
    /// Idle cores it still gets in full. Default 10 (about a tenth of a core's time against one busy thread of normal priority).
    /// </summary>
    public int PlannerNice { get; set; } = 10;

    /// <summary>
    /// How long from <paramref name="now"/> a re-plan asked for now waits: the debounce, or longer while the pause after the last
    /// solve (it ended at <paramref name="lastSolveEnded"/> and took <paramref name="lastSolveTook"/>) has not passed.
    /// </summary>
    public TimeSpan Pacing(DateTimeOffset now, DateTimeOffset? lastSolveEnded, TimeSpan lastSolveTook)
    {
        if (lastSolveEnded is not { } ended) return ReplanDebounce;
        var pause = lastSolveTook * (1 / PlannerShare - 1);
        var wait = ended + pause - now;
        return wait > ReplanDebounce ? wait : ReplanDebounce;
    }

    /// <summary>The wait before the next try after <paramref name="failuresInARow"/> failed solves (1 for the first).</summary>
    public TimeSpan RetryDelay(int failuresInARow) =>
        TimeSpan.FromTicks((long)Math.Min(ReplanRetryMax.Ticks, ReplanRetry.Ticks * Math.Pow(2, Math.Clamp(failuresInARow - 1, 0, 30))));

    /// <summary>What is wrong with these settings, one message per problem naming its key (none when they can be used).</summary>
    public IEnumerable<string> Problems()
    {
        foreach (var p in OptionsChecks.Positive("Relief:Deadline", Deadline)) yield return p;
        if (AtRiskBefore < TimeSpan.Zero || AtRiskBefore >= Deadline)
            yield return $"Relief:AtRiskBefore must be from 0 to less than Relief:Deadline ({Deadline}), was {AtRiskBefore}";
        if (LateReliefUntil < Deadline) yield return $"Relief:LateReliefUntil must not be less than Relief:Deadline ({Deadline}), was {LateReliefUntil}";
        foreach (var p in OptionsChecks.NotNegative("Relief:ReplanDebounce", ReplanDebounce)) yield return p;
        foreach (var p in OptionsChecks.Period("Relief:ReplanRetry", ReplanRetry)) yield return p;
        foreach (var p in OptionsChecks.Period("Relief:ReplanRetryMax", ReplanRetryMax)) yield return p;
        if (ReplanRetryMax < ReplanRetry) yield return $"Relief:ReplanRetryMax ({ReplanRetryMax}) must not be less than Relief:ReplanRetry ({ReplanRetry})";
        foreach (var p in OptionsChecks.Period("Relief:ReplanBackstop", ReplanBackstop)) yield return p;
        foreach (var p in OptionsChecks.NotNegative("Relief:ArchiveAfter", ArchiveAfter)) yield return p;
        if (!(PlannerShare is > 0 and <= 1)) yield return $"Relief:PlannerShare must be more than 0 and at most 1, was {PlannerShare}";
        if (PlannerNice is < 0 or > 19) yield return $"Relief:PlannerNice must be from 0 to 19, was {PlannerNice}";
        if (!(ShelterFarKm > 0)) yield return $"Relief:ShelterFarKm must be more than 0 km, was {ShelterFarKm}";
    }
}
