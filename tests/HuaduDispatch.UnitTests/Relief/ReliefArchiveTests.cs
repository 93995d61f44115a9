using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Relief;
using HuaduDispatch.Grains.Relief.Grains;

namespace HuaduDispatch.UnitTests.Relief;

/// <summary>Incidents whose deadline is long past leave the coordinator's own state for monthly archive pages.</summary>
public sealed class ReliefArchiveTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 9, 0, 0, TimeSpan.FromHours(8));

    [Fact]
    public void Incidents_due_more_than_the_retention_ago_go_to_the_page_of_their_deadlines_utc_month_and_the_others_stay()
    {
        var deadlines = new Dictionary<string, DateTimeOffset>
        {
            ["INC-NOV"] = new(2026, 11, 20, 10, 0, 0, TimeSpan.FromHours(8)),
            ["INC-DEC-1-LOCAL"] = new(2026, 12, 1, 7, 0, 0, TimeSpan.FromHours(8)), // 30 Nov 23:00 UTC
            ["INC-AT-RETENTION"] = Now.AddDays(-1),
            ["INC-YESTERDAY"] = Now.AddHours(-20),
            ["INC-LIVE"] = Now.AddHours(2),
        };

        var due = ReliefArchive.Due([.. deadlines.Keys, "INC-UNKNOWN"], deadlines, Now, TimeSpan.FromDays(1));

        Assert.Equal(["relief-2026-11", "relief-2026-12"], due.Keys);
        Assert.Equal(["INC-DEC-1-LOCAL", "INC-NOV"], due["relief-2026-11"].Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["INC-AT-RETENTION"], due["relief-2026-12"].Keys);
        Assert.Equal(deadlines["INC-NOV"], due["relief-2026-11"]["INC-NOV"]);
    }

    [Fact]
    public void A_report_since_a_moment_reads_only_the_pages_of_that_month_and_later()
    {
        string[] pages = ["relief-2026-09", "relief-2026-10", "relief-2026-11"];

        // 1 Nov 07:00 in Huadu is still October in UTC, where the pages are cut.
        Assert.Equal(["relief-2026-10", "relief-2026-11"], ReliefArchive.PagesFrom(pages, new DateTimeOffset(2026, 11, 1, 7, 0, 0, TimeSpan.FromHours(8))));
        Assert.Equal(["relief-2026-11"], ReliefArchive.PagesFrom(pages, new DateTimeOffset(2026, 11, 1, 9, 0, 0, TimeSpan.FromHours(8))));
        Assert.Equal(pages, ReliefArchive.PagesFrom(pages, null));
    }
}

/// <summary>The coordinator archives what is long past, and still reports it.</summary>
[Collection(FaultClusterFixture.Collection)]
public sealed class ReliefCoordinatorArchiveTests(FaultClusterFixture fixture) : IClassFixture<FaultClusterFixture>
{
    private IGrainFactory Grains => fixture.Cluster.GrainFactory;

    [Fact]
    public async Task An_incident_due_days_ago_leaves_the_coordinators_state_for_the_archive_and_is_still_reported()
    {
        var now = DateTimeOffset.UtcNow;
        async Task Demand(string id, DateTimeOffset occurredAt) => await Grains.GetGrain<IReliefDemandGrain>(id).Update(new ReliefDemandUpdate
        {
            Type = IncidentType.Flood, Location = ReliefFixtures.P(23.401, 113.221), OccurredAt = occurredAt,
            Affected = 10, Relocated = 0, Priority = 2, Open = true, AreaId = "xinhua",
        }, new Actor { Subject = "dispatcher-wang", Role = Roles.Dispatcher });
        await Demand("INC-ARCH-OLD", now.AddDays(-3));     // due 2 days 21 h ago
        // Due 21.5 h ago: past its late relief (until 24 h after the disaster), not yet archived (1 day after the deadline).
        await Demand("INC-ARCH-RECENT", now.AddHours(-24.5));
        var coordinator = Grains.GetGrain<IReliefCoordinatorGrain>(ReliefCoordinator.GrainKey);
        await ReliefFixtures.UntilTracked(coordinator, "INC-ARCH-OLD");
        await ReliefFixtures.UntilTracked(coordinator, "INC-ARCH-RECENT");

        await coordinator.Replan(); // learns both deadlines (neither has anything to plan), and archives the old one
        await coordinator.Replan(); // a second pass changes nothing

        var stored = await fixture.Stored<ReliefCoordinatorState>("relief-coordinator", ((GrainReference)coordinator).GrainId)
            ?? throw new Xunit.Sdk.XunitException("the coordinator stored nothing");
        Assert.DoesNotContain("INC-ARCH-OLD", stored.Tracked);
        Assert.False(stored.Deadlines.ContainsKey("INC-ARCH-OLD"));
        Assert.Contains("INC-ARCH-RECENT", stored.Tracked);
        var page = ReliefArchive.Page(now.AddDays(-3) + TimeSpan.FromHours(3));
        Assert.Contains(page, stored.ArchivePages);
        Assert.Equal(now.AddDays(-3) + TimeSpan.FromHours(3), (await Grains.GetGrain<IReliefArchiveGrain>(page).Get())["INC-ARCH-OLD"]);

        // The KPI and the alerts still find it; a report since two days ago does not read it, one since four days ago does.
        Assert.Contains("INC-ARCH-OLD", await coordinator.GetTracked());
        Assert.Single(await coordinator.GetTracked(), id => id == "INC-ARCH-OLD");
        Assert.Equal((false, true), ((await coordinator.GetTrackedSince(now.AddDays(-2))).Contains("INC-ARCH-OLD"),
            (await coordinator.GetTrackedSince(now.AddDays(-2))).Contains("INC-ARCH-RECENT")));
        Assert.Contains("INC-ARCH-OLD", await coordinator.GetTrackedSince(now.AddDays(-4)));
    }
}
