using HuaduDispatch.Contracts;

namespace HuaduDispatch.UnitTests.Relief;

/// <summary>An incident's relief demand on Orleans' in-process test cluster: how it judges the deadline and takes plans.</summary>
public sealed class ReliefDemandGrainTests(TestClusterFixture fixture) : IClassFixture<TestClusterFixture>
{
    private static readonly Actor Dispatcher = new() { Subject = "dispatcher-wang", Role = Roles.Dispatcher };
    private IGrainFactory Grains => fixture.Cluster.GrainFactory;

    /// <summary>A demand for 10 people whose 3-hour deadline is <paramref name="deadlineAgo"/> in the past (negative: ahead).</summary>
    private async Task<(IReliefDemandGrain Demand, IncidentRelief Relief)> Demand(string id, TimeSpan deadlineAgo, int affected = 10)
    {
        var demand = Grains.GetGrain<IReliefDemandGrain>(id);
        await demand.Update(new ReliefDemandUpdate
        {
            Type = IncidentType.Flood, Location = new GeoPoint { Lat = 23.40, Lon = 113.22 }, OccurredAt = DateTimeOffset.UtcNow - TimeSpan.FromHours(3) - deadlineAgo,
            Affected = affected, Relocated = 0, Priority = 2, Open = true, AreaId = "xinhua",
        }, Dispatcher);
        return (demand, (await demand.Get())!);
    }

    private static Shipment Convoy(string id, IncidentRelief relief, ShipmentStatus status, long planId, DateTimeOffset? deliveredAt = null) => new()
    {
        Id = id, IncidentId = relief.IncidentId, WarehouseId = "WH-X", Lines = [.. relief.Needs.Select(n => new ItemQuantity { ItemCode = n.ItemCode, Quantity = n.Needed })],
        Status = status, Trucks = 1, Departure = relief.OccurredAt.AddMinutes(30), Eta = relief.OccurredAt.AddMinutes(90), DistanceKm = 12,
        ReservationId = id, PlanId = planId, UpdatedAt = deliveredAt ?? DateTimeOffset.UtcNow, DeliveredAt = deliveredAt,
    };

    [Fact]
    public async Task The_relief_knows_when_its_people_were_first_reported_and_a_new_assessment_does_not_move_it()
    {
        var before = DateTimeOffset.UtcNow;
        var (demand, relief) = await Demand("INC-RD-KNOWN", TimeSpan.FromMinutes(40));
        var after = DateTimeOffset.UtcNow;
        Assert.InRange(relief.KnownAt!.Value, before, after);
        Assert.True(relief.KnownAt >= relief.Deadline); // reported 40 minutes after its deadline

        await Task.Delay(20);
        await demand.Update(new ReliefDemandUpdate
        {
            Type = IncidentType.Flood, Location = new GeoPoint { Lat = 23.40, Lon = 113.22 }, OccurredAt = relief.OccurredAt,
            Affected = 25, Relocated = 0, Priority = 2, Open = true, AreaId = "xinhua",
        }, Dispatcher);
        Assert.Equal(relief.KnownAt, (await demand.Get())!.KnownAt);
    }

    [Fact]
    public async Task A_convoy_delivered_to_a_relief_corrected_to_nobody_raises_no_Met_but_one_with_people_does()
    {
        // Both reliefs' convoys are on their way; one incident's figures are then corrected to nobody.
        var (corrected, before) = await Demand("INC-RD-NOBODY", TimeSpan.FromMinutes(-60));
        var (kept, keptRelief) = await Demand("INC-RD-SOMEBODY", TimeSpan.FromMinutes(-60));
        await corrected.Update(new ReliefDemandUpdate
        {
            Type = IncidentType.Flood, Location = new GeoPoint { Lat = 23.40, Lon = 113.22 }, OccurredAt = before.OccurredAt,
            Affected = 0, Relocated = 0, Priority = 2, Open = true, AreaId = "xinhua",
        }, Dispatcher);

        await corrected.ShipmentChanged(Convoy("SHP-RD-NOBODY", before, ShipmentStatus.Delivered, 1, DateTimeOffset.UtcNow), replan: false);
        await kept.ShipmentChanged(Convoy("SHP-RD-SOMEBODY", keptRelief, ShipmentStatus.Delivered, 1, DateTimeOffset.UtcNow), replan: false);

        Assert.DoesNotContain(await corrected.GetAlerts(), a => a.Kind == ReliefAlertKind.Met);
        Assert.Contains(await kept.GetAlerts(), a => a.Kind == ReliefAlertKind.Met);
    }

    [Fact]
    public async Task A_relief_withdrawn_while_a_convoy_is_loading_or_on_the_road_tells_the_dispatcher_once()
    {
        var (demand, relief) = await Demand("INC-RD-UNDERWAY", TimeSpan.FromMinutes(-60));
        await demand.ShipmentChanged(Convoy("SHP-RD-LOADING", relief, ShipmentStatus.Loading, 1), replan: false);
        await demand.ShipmentChanged(Convoy("SHP-RD-ROAD", relief, ShipmentStatus.Departed, 1), replan: false);
        ReliefDemandUpdate Cancelled() => new()
        {
            Type = IncidentType.Flood, Location = new GeoPoint { Lat = 23.40, Lon = 113.22 }, OccurredAt = relief.OccurredAt,
            Affected = 10, Relocated = 0, Priority = 2, Open = false, Withdrawn = true, AreaId = "xinhua",
        };

        await demand.Update(Cancelled(), Dispatcher);
        await demand.Update(Cancelled(), Dispatcher); // the same news again: no second alert

        var alert = Assert.Single(await demand.GetAlerts(), a => a.Kind == ReliefAlertKind.ConvoyUnderWay);
        Assert.Contains("SHP-RD-LOADING from WH-X is Loading", alert.Text);
        Assert.Contains("SHP-RD-ROAD from WH-X is Departed", alert.Text);
        // Withdrawn with nothing under way: nothing to act on, no alert.
        var (quiet, quietRelief) = await Demand("INC-RD-QUIET", TimeSpan.FromMinutes(-60));
        await quiet.ShipmentChanged(Convoy("SHP-RD-QUIET", quietRelief, ShipmentStatus.Delivered, 1, DateTimeOffset.UtcNow), replan: false);
        await quiet.Update(Cancelled(), Dispatcher);
        Assert.DoesNotContain(await quiet.GetAlerts(), a => a.Kind == ReliefAlertKind.ConvoyUnderWay);
        // A convoy of it set loading after the cancellation (before the next plan withdrew it) is named then, once.
        await quiet.ShipmentChanged(Convoy("SHP-RD-QUIET-LATE", quietRelief, ShipmentStatus.Loading, 1), replan: false);
        await quiet.ShipmentChanged(Convoy("SHP-RD-QUIET-LATE", quietRelief, ShipmentStatus.Departed, 1), replan: false);
        Assert.Contains("SHP-RD-QUIET-LATE from WH-X is Loading",
            Assert.Single(await quiet.GetAlerts(), a => a.Kind == ReliefAlertKind.ConvoyUnderWay).Text);

        // Figures corrected to nobody while a convoy is on its way: named too.
        var (nobody, nobodyRelief) = await Demand("INC-RD-UNDERWAY-NOBODY", TimeSpan.FromMinutes(-60));
        await nobody.ShipmentChanged(Convoy("SHP-RD-NOBODY-ROAD", nobodyRelief, ShipmentStatus.Departed, 1), replan: false);
        await nobody.Update(Cancelled() with { Open = true, Withdrawn = false, Affected = 0 }, Dispatcher);
        Assert.Contains("needs nothing", Assert.Single(await nobody.GetAlerts(), a => a.Kind == ReliefAlertKind.ConvoyUnderWay).Text);
    }

    /// <summary>
    /// A Breached alert for people reported only after their deadline says so (the typhoon-night tester's F9: it read like a
    /// missed promise); one for people known before it does not.
    /// </summary>
    [Fact]
    public async Task A_breach_of_a_relief_reported_after_its_deadline_says_when_it_was_known()
    {
        var (late, relief) = await Demand("INC-RD-BREACH-KNOWN-LATE", TimeSpan.FromMinutes(40));
        Assert.Equal(ReliefStatus.Breached, (await late.CheckDeadline())!.Status);
        var text = Assert.Single(await late.GetAlerts(), a => a.Kind == ReliefAlertKind.Breached).Text;
        Assert.EndsWith($"missing at the deadline; reported after its deadline (known at {DistrictTime.Text(relief.KnownAt!.Value)})", text);

        var (missed, _) = await Demand("INC-RD-BREACH-KNOWN-EARLY", TimeSpan.FromSeconds(-1));
        await Task.Delay(1500);
        Assert.Equal(ReliefStatus.Breached, (await missed.CheckDeadline())!.Status);
        Assert.EndsWith("missing at the deadline", Assert.Single(await missed.GetAlerts(), a => a.Kind == ReliefAlertKind.Breached).Text);
    }

    [Fact]
    public async Task A_delivery_reported_after_the_judgement_but_made_before_the_deadline_corrects_Breached_to_Met()
    {
        // Deadline 10 minutes ago: judged Breached with nothing reported delivered.
        var (demand, relief) = await Demand("INC-RD-LATEREPORT", TimeSpan.FromMinutes(10));
        Assert.Equal(ReliefStatus.Breached, (await demand.CheckDeadline())!.Status);
        var (stays, staysRelief) = await Demand("INC-RD-LATEREPORT-AFTER", TimeSpan.FromMinutes(10));
        Assert.Equal(ReliefStatus.Breached, (await stays.CheckDeadline())!.Status);

        // The crew radios in now: the convoy arrived 5 minutes before the deadline. Another arrived 5 minutes after it.
        await demand.ShipmentChanged(Convoy("SHP-RD-LATEREPORT", relief, ShipmentStatus.Delivered, 1, relief.Deadline.AddMinutes(-5)), replan: false);
        await stays.ShipmentChanged(Convoy("SHP-RD-LATEREPORT-AFTER", staysRelief, ShipmentStatus.Delivered, 1, staysRelief.Deadline.AddMinutes(5)), replan: false);

        var corrected = (await demand.Get())!;
        Assert.Equal(ReliefStatus.Met, corrected.Status);
        Assert.Equal(relief.Deadline.AddMinutes(-5), corrected.FirstDeliveryAt);
        Assert.Contains(await demand.GetAlerts(), a => a.Kind == ReliefAlertKind.Met && a.Text.Contains("corrected from Breached: SHP-RD-LATEREPORT"));
        Assert.Equal(ReliefStatus.Breached, (await stays.Get())!.Status);
        Assert.DoesNotContain(await stays.GetAlerts(), a => a.Kind == ReliefAlertKind.Met);
    }

    [Fact]
    public async Task A_shortfall_relabelled_between_NoTrucks_and_KitIncomplete_alone_raises_no_new_alert_but_a_new_quantity_or_reason_does()
    {
        var (demand, relief) = await Demand("INC-RD-RELABEL", TimeSpan.FromMinutes(-60));
        ReliefShortfall Short(string item, long missing, string reason) => new() { IncidentId = relief.IncidentId, ItemCode = item, Missing = missing, Reason = reason, Detail = "" };
        async Task<int> Alerts() => (await demand.GetAlerts()).Count(a => a.Kind == ReliefAlertKind.Shortfall);

        await demand.ApplyPlan(1, [], [Short("tent", 3, "NoTrucks"), Short("blanket", 10, "KitIncomplete")], 0);
        Assert.Equal(1, await Alerts());
        // The next plans send the district's few free trucks elsewhere and back: the same items and quantities, and the
        // trucks are the limit either way. The relief shows the new reasons, but the feed is not told again.
        await demand.ApplyPlan(2, [], [Short("tent", 3, "KitIncomplete"), Short("blanket", 10, "NoTrucks")], 0);
        await demand.ApplyPlan(3, [], [Short("tent", 3, "NoTrucks"), Short("blanket", 10, "NoTrucks")], 0);
        Assert.Equal(1, await Alerts());
        Assert.Equal("NoTrucks", (await demand.Get())!.Shortfalls.Single(s => s.ItemCode == "blanket").Reason);
        // A new quantity, or a limit that is not the trucks, is news.
        await demand.ApplyPlan(4, [], [Short("tent", 4, "NoTrucks"), Short("blanket", 10, "NoTrucks")], 0);
        await demand.ApplyPlan(5, [], [Short("tent", 4, "StockShort"), Short("blanket", 10, "NoTrucks")], 0);
        Assert.Equal(3, await Alerts());
        // Covered again: the feed says so once (its last word on the incident read "short" until the thirty-third session).
        await demand.ApplyPlan(6, [], [], 10);
        await demand.ApplyPlan(7, [], [], 10);
        var feed = await demand.GetAlerts();
        Assert.Equal(ReliefAlertKind.ShortfallCleared, feed[^1].Kind);
        Assert.StartsWith("plan 6: no shortfall left: the plan brings every item by the deadline", feed[^1].Text, StringComparison.Ordinal);
        Assert.Single(feed, a => a.Kind == ReliefAlertKind.ShortfallCleared); // not again for a plan that leaves it as it was
        // Short again, then cleared again: each time.
        await demand.ApplyPlan(8, [], [Short("tent", 1, "NoTrucks")], 9);
        await demand.ApplyPlan(9, [], [], 10);
        Assert.Equal(2, (await demand.GetAlerts()).Count(a => a.Kind == ReliefAlertKind.ShortfallCleared));

        // Past the deadline the lines go because nothing is planned for it any more, not because the kit comes: no such alert
        // (a CI run saw one beside the Breached alert).
        var (passed, late) = await Demand("INC-RD-PASSED", TimeSpan.FromMinutes(10));
        await passed.ApplyPlan(1, [], [new ReliefShortfall { IncidentId = late.IncidentId, ItemCode = "tent", Missing = 3, Reason = "TooFar", Detail = "" }], 0);
        await passed.ApplyPlan(2, [], [], 0);
        Assert.DoesNotContain(await passed.GetAlerts(), a => a.Kind == ReliefAlertKind.ShortfallCleared);
    }

    [Fact]
    public async Task A_late_deadline_check_judges_on_what_had_arrived_at_the_deadline_not_on_what_has_arrived_since()
    {
        // Everything arrived 10 minutes after the deadline; the reminder runs 20 minutes after it: Breached.
        var (late, lateRelief) = await Demand("INC-RD-LATE", TimeSpan.FromMinutes(20));
        Assert.NotEmpty(lateRelief.Needs);
        await late.ShipmentChanged(Convoy("SHP-RD-LATE", lateRelief, ShipmentStatus.Delivered, 1, lateRelief.Deadline.AddMinutes(10)), replan: false);
        Assert.Equal(ReliefStatus.Breached, (await late.CheckDeadline())!.Status);

        // Everything arrived 10 minutes before the deadline, but the notice came after it: Met.
        var (early, earlyRelief) = await Demand("INC-RD-EARLY", TimeSpan.FromMinutes(20));
        await early.ShipmentChanged(Convoy("SHP-RD-EARLY", earlyRelief, ShipmentStatus.Delivered, 1, earlyRelief.Deadline.AddMinutes(-10)), replan: false);
        Assert.Equal(ReliefStatus.Met, (await early.CheckDeadline())!.Status);
    }

    [Fact]
    public async Task People_relieved_by_the_deadline_are_those_whose_whole_kit_arrived_by_then_also_when_the_relief_is_breached()
    {
        // 10 people. By the deadline one convoy brought the whole kit except 3 of the 10 blankets; the rest came after it.
        var (demand, relief) = await Demand("INC-RD-PART", TimeSpan.FromMinutes(20));
        Assert.Equal(10, relief.Needs.Single(n => n.ItemCode == "blanket").Needed);
        Assert.Equal(0, relief.PeopleRelievedByDeadline);
        var onTime = Convoy("SHP-RD-PART-1", relief, ShipmentStatus.Delivered, 1, relief.Deadline.AddMinutes(-10)) with
        {
            Received = [.. relief.Needs.Select(n => new ItemQuantity { ItemCode = n.ItemCode, Quantity = n.ItemCode == "blanket" ? 7 : n.Needed })],
        };
        await demand.ShipmentChanged(onTime, replan: false);
        var late = Convoy("SHP-RD-PART-2", relief, ShipmentStatus.Delivered, 1, relief.Deadline.AddMinutes(5)) with
        {
            Lines = [new ItemQuantity { ItemCode = "blanket", Quantity = 3 }],
        };
        await demand.ShipmentChanged(late, replan: false);

        var judged = (await demand.CheckDeadline())!;
        Assert.Equal(ReliefStatus.Breached, judged.Status);
        Assert.Equal(7, judged.PeopleRelievedByDeadline);

        // Everything by the deadline: every one of them.
        var (met, metRelief) = await Demand("INC-RD-FULL", TimeSpan.FromMinutes(20));
        await met.ShipmentChanged(Convoy("SHP-RD-FULL", metRelief, ShipmentStatus.Delivered, 1, metRelief.Deadline.AddMinutes(-10)), replan: false);
        var full = (await met.CheckDeadline())!;
        Assert.Equal((ReliefStatus.Met, 10), (full.Status, full.PeopleRelievedByDeadline));
    }

    [Fact]
    public async Task The_whole_kit_of_300_people_relieves_300_of_350_not_a_share_of_the_rounded_up_need()
    {
        var (_, kitOf300) = await Demand("INC-RD-300", TimeSpan.FromMinutes(20), affected: 300);
        var (demand, relief) = await Demand("INC-RD-350", TimeSpan.FromMinutes(20), affected: 350);
        // Items counted per several people round up: 300 people's kit is less than 300/350 of 350 people's for some of them.
        Assert.Contains(relief.Needs, n => n.Needed * 300 > kitOf300.Needs.Single(k => k.ItemCode == n.ItemCode).Needed * 350);
        var delivered = Convoy("SHP-RD-350", relief, ShipmentStatus.Delivered, 1, relief.Deadline.AddMinutes(-10)) with
        {
            Received = [.. kitOf300.Needs.Select(n => new ItemQuantity { ItemCode = n.ItemCode, Quantity = n.Needed })],
        };
        await demand.ShipmentChanged(delivered, replan: false);
        var judged = (await demand.CheckDeadline())!;
        Assert.Equal((ReliefStatus.Breached, 300), (judged.Status, judged.PeopleRelievedByDeadline));
    }

    [Fact]
    public async Task A_breached_relief_still_asks_for_what_is_missing_until_its_late_limit_and_then_no_more()
    {
        // 20 minutes past the deadline, half the blankets arrived (after it): Breached, and the rest is still asked for.
        var (demand, relief) = await Demand("INC-RD-LATE-ASK", TimeSpan.FromMinutes(20));
        var half = Convoy("SHP-RD-LATE-ASK", relief, ShipmentStatus.Delivered, 1, relief.Deadline.AddMinutes(5)) with
        {
            Received = [.. relief.Needs.Select(n => new ItemQuantity { ItemCode = n.ItemCode, Quantity = n.ItemCode == "blanket" ? n.Needed / 2 : n.Needed })],
        };
        await demand.ShipmentChanged(half, replan: false);
        Assert.Equal(ReliefStatus.Breached, (await demand.CheckDeadline())!.Status);

        var input = await demand.GetPlanningInput();
        Assert.NotNull(input);
        Assert.Equal([("blanket", 5L)], input.Kit.Select(k => (k.ItemCode, k.Quantity)));
        Assert.Equal(relief.Deadline, input.Deadline);
        Assert.Equal(relief.OccurredAt + TimeSpan.FromHours(24), input.LateUntil); // the default Relief:LateReliefUntil

        // 21 hours past the deadline (24 h after the disaster) nothing is planned any more.
        var (over, _) = await Demand("INC-RD-LATE-OVER", TimeSpan.FromHours(21));
        Assert.Null(await over.GetPlanningInput());
        var (justBefore, _) = await Demand("INC-RD-LATE-IN", TimeSpan.FromHours(20.9));
        Assert.NotNull(await justBefore.GetPlanningInput());
    }

    [Fact]
    public async Task A_plan_never_sets_a_convoys_status_back_and_drops_the_earlier_plans_convoys_still_planned()
    {
        var (demand, relief) = await Demand("INC-RD-PLAN", TimeSpan.FromHours(-2));
        await demand.ApplyPlan(1, [Convoy("SHP-1-A", relief, ShipmentStatus.Planned, 1), Convoy("SHP-1-B", relief, ShipmentStatus.Planned, 1)], [], 10);
        await demand.ShipmentChanged(Convoy("SHP-1-A", relief, ShipmentStatus.Loading, 1), replan: false);

        // Plan 2 still lists SHP-1-A as Planned (it was read before the convoy started loading) and drops SHP-1-B.
        await demand.ApplyPlan(2, [Convoy("SHP-1-A", relief, ShipmentStatus.Planned, 1), Convoy("SHP-2-C", relief, ShipmentStatus.Planned, 2)], [], 10);
        var shipments = (await demand.Get())!.Shipments.ToDictionary(s => s.Id, s => s.Status);
        Assert.Equal(ShipmentStatus.Loading, shipments["SHP-1-A"]);
        Assert.Equal(ShipmentStatus.Planned, shipments["SHP-2-C"]);
        Assert.False(shipments.ContainsKey("SHP-1-B"), "a convoy of an earlier plan still Planned was withdrawn by the coordinator");

        // An older plan arriving late changes nothing.
        await demand.ApplyPlan(1, [Convoy("SHP-1-B", relief, ShipmentStatus.Planned, 1)], [], 10);
        Assert.DoesNotContain((await demand.Get())!.Shipments, s => s.Id == "SHP-1-B");
    }

    [Fact]
    public async Task A_re_plan_that_leaves_the_relief_as_it_was_is_neither_written_nor_pushed_and_one_that_changes_it_is()
    {
        var (demand, relief) = await Demand("INC-RD-SAME", TimeSpan.FromHours(-2));
        var convoy = Convoy("SHP-SAME-A", relief, ShipmentStatus.Planned, 1);
        var shortfall = new ReliefShortfall { IncidentId = relief.IncidentId, ItemCode = "tent", Missing = 2, Reason = "StockShort", Detail = "no tents" };
        await demand.ApplyPlan(1, [convoy], [shortfall], 8);
        var first = (await demand.Get())!;

        // Plans 2 and 3 keep the convoy as it is (with the id of the plan that made it) and the same shortfall: the relief is
        // not saved again, which is where its state is written and its delta published (both stamp UpdatedAt).
        await Task.Delay(20);
        await demand.ApplyPlan(2, [convoy with { Lines = [.. convoy.Lines] }], [shortfall with { }], 8);
        await demand.ApplyPlan(3, [convoy], [shortfall], 8);
        var same = (await demand.Get())!;
        Assert.Equal(first.UpdatedAt, same.UpdatedAt);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(first, DispatchJson.Options), System.Text.Json.JsonSerializer.Serialize(same, DispatchJson.Options));

        // Plan 4 brings the tents: saved, with the new figures and without the shortfall.
        var amended = convoy with { Lines = [.. convoy.Lines, new ItemQuantity { ItemCode = "tent", Quantity = 2 }], PlanId = 4, UpdatedAt = DateTimeOffset.UtcNow };
        await demand.ApplyPlan(4, [amended], [], 10);
        var changed = (await demand.Get())!;
        Assert.True(changed.UpdatedAt > first.UpdatedAt);
        Assert.Equal((10, 0), (changed.PeopleCoveredByPlan, changed.Shortfalls.Count));
        Assert.Equal(4, Assert.Single(changed.Shipments).PlanId);

        // An earlier plan is still refused after the unchanged ones were kept in memory only.
        await demand.ApplyPlan(3, [convoy], [shortfall], 8);
        Assert.Equal(10, (await demand.Get())!.PeopleCoveredByPlan);
    }

    [Fact]
    public async Task A_delivery_in_which_nothing_arrived_is_not_the_incidents_first_delivery()
    {
        var (demand, relief) = await Demand("INC-RD-NOTHING", TimeSpan.FromMinutes(-60));
        var nothing = Convoy("SHP-RD-NOTHING", relief, ShipmentStatus.Delivered, 1, DateTimeOffset.UtcNow.AddMinutes(-20)) with
        {
            Received = [.. relief.Needs.Select(n => new ItemQuantity { ItemCode = n.ItemCode, Quantity = 0 })],
        };
        await demand.ShipmentChanged(nothing, replan: true);
        var after = (await demand.Get())!;
        Assert.Null(after.FirstDeliveryAt);
        Assert.All(after.Needs, n => Assert.Equal(0, n.Delivered));
        Assert.Null(ReliefKpis.Of([after], DateTimeOffset.UtcNow).Incidents.Single().InitialReliefMinutes);

        // The next convoy brings something: that is the first delivery.
        var some = Convoy("SHP-RD-SOME", relief, ShipmentStatus.Delivered, 1, DateTimeOffset.UtcNow.AddMinutes(-10));
        await demand.ShipmentChanged(some, replan: false);
        Assert.Equal(some.DeliveredAt, (await demand.Get())!.FirstDeliveryAt);
    }
}
