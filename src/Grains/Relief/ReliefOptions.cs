namespace HuaduDispatch.Grains.Relief;

/// <summary>Configuration section "Relief".</summary>
public sealed class ReliefOptions
{
    public const string Section = "Relief";

    /// <summary>The district's promise: basic living needs relieved within this time of the disaster (3 h).</summary>
    public TimeSpan Deadline { get; set; } = TimeSpan.FromHours(3);
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
    /// An incident whose relief deadline passed this long ago moves from the coordinator's own state to its monthly archive
    /// (<see cref="ReliefArchive"/>): the KPI and alerts still find it, but the state written at every re-plan stops growing
    /// with every incident that ever had relief.
    /// </summary>
    public TimeSpan ArchiveAfter { get; set; } = TimeSpan.FromDays(1);

    /// <summary>The wait before the next try after <paramref name="failuresInARow"/> failed solves (1 for the first).</summary>
    public TimeSpan RetryDelay(int failuresInARow) =>
        TimeSpan.FromTicks((long)Math.Min(ReplanRetryMax.Ticks, ReplanRetry.Ticks * Math.Pow(2, Math.Clamp(failuresInARow - 1, 0, 30))));
}
