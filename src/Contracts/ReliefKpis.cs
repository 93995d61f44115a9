namespace HuaduDispatch.Contracts;

/// <summary>The relief KPIs (GET /api/v1/kpi/relief) from the incidents' reliefs: a plain rule, so the API and tests share it.</summary>
public static class ReliefKpis
{
    /// <summary>The district plan's floor: initial relief (the first delivery) within 6 hours of the disaster.</summary>
    public static readonly TimeSpan InitialReliefFloor = TimeSpan.FromHours(6);

    /// <summary>
    /// Per incident and district-wide. Withdrawn reliefs (cancelled or merged incidents) are left out, and so are those whose
    /// incident's figures now have nobody affected or relocated (corrected: a breach judged on the wrong figures is no breach of
    /// the promise to anybody). A person counts as relieved when their whole kit arrived by the deadline
    /// (<see cref="IncidentRelief.PeopleRelievedByDeadline"/>).
    /// </summary>
    public static ReliefKpi Of(IEnumerable<IncidentRelief> reliefs, DateTimeOffset now)
    {
        var counted = reliefs.Where(r => !r.Withdrawn && Math.Max(r.Affected, r.Relocated) > 0).ToList();
        var rows = counted.Select(r =>
        {
            var people = Math.Max(r.Affected, r.Relocated);
            return new IncidentReliefKpi
            {
                IncidentId = r.IncidentId, Affected = people, RelievedWithin3h = r.PeopleRelievedByDeadline, Status = r.Status,
                // Never below 0: a report may give occurredAt up to 5 minutes ahead of the server (a device clock), and a delivery
                // right after it read -3.9 minutes and lowered the district's median.
                InitialReliefMinutes = r.FirstDeliveryAt is { } first ? Math.Max(0, Math.Round((first - r.OccurredAt).TotalMinutes, 1)) : null,
                OpenShortfalls = r.Shortfalls.Count,
                ShareRelievedWithin3h = people == 0 ? 0 : Math.Round((double)r.PeopleRelievedByDeadline / people, 4),
                Breached = r.Status == ReliefStatus.Breached,
                KnownAfterDeadline = r.KnownAt >= r.Deadline,
            };
        }).ToList();
        var affected = rows.Sum(r => (long)r.Affected);
        var relieved = rows.Sum(r => (long)r.RelievedWithin3h);
        var initial = rows.Select(r => r.InitialReliefMinutes).OfType<double>().Order().ToList();
        return new ReliefKpi
        {
            Incidents = rows, Affected = affected, RelievedWithin3h = relieved,
            ShareRelievedWithin3h = affected == 0 ? 0 : Math.Round((double)relieved / affected, 4),
            Breaches = rows.Count(r => r.Breached), OpenShortfalls = rows.Sum(r => r.OpenShortfalls),
            InitialReliefMinutesMedian = initial.Count == 0 ? null
                : Math.Round(initial.Count % 2 == 1 ? initial[initial.Count / 2] : (initial[initial.Count / 2 - 1] + initial[initial.Count / 2]) / 2, 1),
            InitialReliefMinutesMax = initial.Count == 0 ? null : initial[^1],
            InitialReliefLate = counted.Count(r => (r.FirstDeliveryAt ?? now) - r.OccurredAt > InitialReliefFloor),
            BreachesKnownAfterDeadline = rows.Count(r => r.Breached && r.KnownAfterDeadline),
        };
    }
}
