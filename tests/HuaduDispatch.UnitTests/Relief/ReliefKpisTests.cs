using HuaduDispatch.Contracts;

namespace HuaduDispatch.UnitTests.Relief;

/// <summary>The relief KPIs from the incidents' reliefs: per incident, district-wide, and the 6-hour floor of initial relief.</summary>
public sealed class ReliefKpisTests
{
    private static readonly DateTimeOffset Now = new(2026, 7, 20, 12, 0, 0, TimeSpan.FromHours(8));

    private static IncidentRelief Relief(string id, int affected, int relieved, ReliefStatus status, TimeSpan ago, TimeSpan? firstDeliveryAfter,
        bool withdrawn = false, int shortfalls = 0, TimeSpan? knownAfter = null) => new()
    {
        IncidentId = id, Affected = affected, Relocated = 0, OccurredAt = Now - ago, Deadline = Now - ago + TimeSpan.FromHours(3),
        Status = status, Needs = [], Shipments = [], PeopleCoveredByPlan = 0, Shelters = new Dictionary<string, int>(), Alerts = [],
        Shortfalls = [.. Enumerable.Range(0, shortfalls).Select(i => new ReliefShortfall { IncidentId = id, ItemCode = $"item-{i}", Missing = 1, Reason = "StockShort", Detail = "" })],
        FirstDeliveryAt = firstDeliveryAfter is { } after ? Now - ago + after : null, UpdatedAt = Now, Open = !withdrawn,
        PeopleRelievedByDeadline = relieved, Withdrawn = withdrawn, KnownAt = Now - ago + (knownAfter ?? TimeSpan.FromMinutes(10)),
    };

    [Fact]
    public void Shares_breaches_and_initial_relief_times_per_incident_and_district_wide_without_withdrawn_reliefs()
    {
        var kpi = ReliefKpis.Of(
        [
            Relief("INC-MET", 100, 100, ReliefStatus.Met, TimeSpan.FromHours(4), TimeSpan.FromMinutes(95)),
            Relief("INC-BREACHED", 200, 50, ReliefStatus.Breached, TimeSpan.FromHours(8), TimeSpan.FromMinutes(400)),
            Relief("INC-WAITING", 40, 0, ReliefStatus.AtRisk, TimeSpan.FromHours(7), null, shortfalls: 2),
            Relief("INC-FRESH", 60, 0, ReliefStatus.OnTrack, TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(25)),
            Relief("INC-FALSE-ALARM", 500, 0, ReliefStatus.OnTrack, TimeSpan.FromHours(9), null, withdrawn: true),
        ], Now);

        Assert.Equal(["INC-MET", "INC-BREACHED", "INC-WAITING", "INC-FRESH"], kpi.Incidents.Select(i => i.IncidentId));
        var breached = kpi.Incidents[1];
        Assert.Equal((0.25, true, 400.0), (breached.ShareRelievedWithin3h, breached.Breached, breached.InitialReliefMinutes));
        Assert.Equal((1.0, false), (kpi.Incidents[0].ShareRelievedWithin3h, kpi.Incidents[0].Breached));
        Assert.Equal((400L, 150L, 0.375), (kpi.Affected, kpi.RelievedWithin3h, kpi.ShareRelievedWithin3h));
        Assert.Equal((1, 2), (kpi.Breaches, kpi.OpenShortfalls));
        // Initial relief: 25, 95 and 400 min; the median is 95. Late past 6 h: the 400-min one, and the one still waiting after 7 h.
        Assert.Equal((95.0, 400.0, 2), (kpi.InitialReliefMinutesMedian, kpi.InitialReliefMinutesMax, kpi.InitialReliefLate));
    }

    [Fact]
    public void Breaches_the_district_learned_of_only_after_their_deadline_are_counted_apart()
    {
        var kpi = ReliefKpis.Of(
        [
            Relief("INC-MISSED", 100, 0, ReliefStatus.Breached, TimeSpan.FromHours(5), null, knownAfter: TimeSpan.FromMinutes(30)),
            Relief("INC-REPORTED-LATE", 80, 0, ReliefStatus.Breached, TimeSpan.FromHours(6), TimeSpan.FromHours(5), knownAfter: TimeSpan.FromHours(4)),
            Relief("INC-AT-THE-DEADLINE", 20, 0, ReliefStatus.Breached, TimeSpan.FromHours(6), null, knownAfter: TimeSpan.FromHours(3)),
            Relief("INC-LATE-BUT-MET", 10, 10, ReliefStatus.Met, TimeSpan.FromHours(6), TimeSpan.FromHours(2), knownAfter: TimeSpan.FromHours(4)),
            Relief("INC-OLD", 10, 0, ReliefStatus.Breached, TimeSpan.FromHours(6), null) with { KnownAt = null },
        ], Now);

        Assert.Equal([false, true, true, true, false], kpi.Incidents.Select(i => i.KnownAfterDeadline));
        Assert.Equal((4, 2), (kpi.Breaches, kpi.BreachesKnownAfterDeadline)); // a Met relief is no breach, whenever it was known
    }

    [Fact]
    public void No_reliefs_give_zeros_and_no_times()
    {
        var kpi = ReliefKpis.Of([], Now);
        Assert.Equal((0L, 0.0, 0, (double?)null, (double?)null), (kpi.Affected, kpi.ShareRelievedWithin3h, kpi.InitialReliefLate, kpi.InitialReliefMinutesMedian, kpi.InitialReliefMinutesMax));
        var even = ReliefKpis.Of([Relief("A", 10, 0, ReliefStatus.OnTrack, TimeSpan.FromHours(1), TimeSpan.FromMinutes(20)),
            Relief("B", 10, 0, ReliefStatus.OnTrack, TimeSpan.FromHours(1), TimeSpan.FromMinutes(50))], Now);
        Assert.Equal(35.0, even.InitialReliefMinutesMedian);
    }

    [Fact]
    public void A_first_delivery_before_an_occurredAt_given_ahead_of_the_server_is_an_initial_relief_time_of_0_not_negative()
    {
        // occurredAt may be up to 5 minutes ahead of the server (a device clock); a delivery right after the report came first.
        var kpi = ReliefKpis.Of([Relief("AHEAD", 10, 10, ReliefStatus.Met, TimeSpan.FromMinutes(-4), TimeSpan.FromMinutes(-3.9)),
            Relief("B", 10, 10, ReliefStatus.Met, TimeSpan.FromHours(1), TimeSpan.FromMinutes(30))], Now);
        Assert.Equal(0.0, kpi.Incidents.Single(i => i.IncidentId == "AHEAD").InitialReliefMinutes);
        Assert.Equal((15.0, 30.0), (kpi.InitialReliefMinutesMedian, kpi.InitialReliefMinutesMax));
    }
}
