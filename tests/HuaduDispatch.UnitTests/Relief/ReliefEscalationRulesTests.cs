using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Relief;
using HuaduDispatch.Grains.Warehouses;

namespace HuaduDispatch.UnitTests.Relief;

/// <summary>Agreement reserves (代储): planned only while activated, proposed by escalation only while not; the activation rule.</summary>
public sealed class ReliefEscalationRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 7, 15, 14, 0, 0, TimeSpan.FromHours(8));
    private static readonly Actor Dispatcher = new() { Subject = "dispatcher-wang", Role = Roles.Dispatcher };

    private static Warehouse Wh(string id, WarehouseKind kind, int mobilisation, ReserveActivation? activation = null, long lighting = 800) => new()
    {
        Id = id, Kind = kind, NameZh = id, NameEn = id, AreaId = "xinhua", Position = new GeoPoint { Lat = 23.44, Lon = 113.14 },
        MobilisationMinutes = mobilisation, Fleet = new Fleet { Trucks = 3, CapacityKg = 5000, CapacityM3 = 30 },
        Stock = [new StockLevel { ItemCode = "lighting", OnHand = lighting, Reserved = 0 }], Activation = activation,
    };

    private static ReserveActivation Active => new() { ActivatedBy = "dispatcher-wang", ActivatedAt = Now, Reason = "lighting short" };

    [Fact]
    public void The_alert_key_ignores_order_and_a_change_between_NoTrucks_and_KitIncomplete_but_not_a_quantity_or_another_reason()
    {
        static ReliefShortfall S(string item, long missing, string reason) => new() { IncidentId = "INC-1", ItemCode = item, Missing = missing, Reason = reason, Detail = reason };

        var key = ReliefEscalation.AlertKey([S("tent", 3, "NoTrucks"), S("blanket", 10, "KitIncomplete")]);

        Assert.Equal(key, ReliefEscalation.AlertKey([S("blanket", 10, "NoTrucks"), S("tent", 3, "KitIncomplete")]));
        Assert.NotEqual(key, ReliefEscalation.AlertKey([S("tent", 4, "NoTrucks"), S("blanket", 10, "KitIncomplete")]));
        Assert.NotEqual(key, ReliefEscalation.AlertKey([S("tent", 3, "StockShort"), S("blanket", 10, "KitIncomplete")]));
        Assert.NotEqual(key, ReliefEscalation.AlertKey([S("tent", 3, "NoTrucks")]));
    }

    [Fact]
    public void Planner_input_includes_an_activated_agreement_reserve_with_its_mobilisation_and_excludes_a_dormant_one()
    {
        var selection = ReliefWarehouseSelection.Select([
            Wh("WH-REG", WarehouseKind.RegionalDepot, 30),
            Wh("WH-AR-01", WarehouseKind.AgreementReserve, 90),
            Wh("WH-AR-02", WarehouseKind.AgreementReserve, 75, Active),
        ]);

        Assert.Equal(["WH-REG", "WH-AR-02"], selection.Planned.Select(w => w.Id));
        var reserve = selection.Planned.Single(w => w.Id == "WH-AR-02");
        Assert.Equal(TimeSpan.FromMinutes(75), reserve.Mobilisation);
        Assert.Equal(800, reserve.Available["lighting"]);
        Assert.Equal(["WH-AR-01"], selection.ProposableReserves.Select(w => w.Id));
    }

    [Fact]
    public void Escalation_proposes_only_dormant_reserves_and_points_to_the_edxl_rm_export()
    {
        var shortfalls = new List<ReliefShortfall>
        {
            new() { IncidentId = "INC-1", ItemCode = "lighting", Missing = 100, Reason = "StockShort", Detail = "0 in reach" },
            new() { IncidentId = "INC-1", ItemCode = "blanket", Missing = 300, Reason = "KitIncomplete", Detail = "lighting short" },
        };
        var selection = ReliefWarehouseSelection.Select([Wh("WH-AR-01", WarehouseKind.AgreementReserve, 90), Wh("WH-AR-02", WarehouseKind.AgreementReserve, 75, Active)]);

        var proposals = ReliefEscalation.Propose(shortfalls, selection.ProposableReserves);

        Assert.Equal(2, proposals.Count); // the KitIncomplete line needs no escalation of its own
        Assert.Contains("GET /api/v1/relief/requests/edxl-rm?incidentId=INC-1", proposals[0]);
        Assert.Contains("WH-AR-01", proposals[1]);
        Assert.DoesNotContain("WH-AR-02", proposals[1]);

        // A reserve whose route to the incident the dispatchers closed is not proposed for it: it could not help.
        var avoided = ReliefEscalation.Propose(shortfalls, selection.ProposableReserves, (incident, warehouse) => incident == "INC-1" && warehouse == "WH-AR-01");
        Assert.DoesNotContain("activate", Assert.Single(avoided), StringComparison.Ordinal);
    }

    [Fact]
    public void A_reserve_arrives_in_time_by_the_deadline_before_it_and_by_the_end_of_late_relief_after_it()
    {
        // WH-AR-01 mobilises in 90 min; with 20 min loading and a short drive its convoy arrives a little after 110 min.
        var reserve = Wh("WH-AR-01", WarehouseKind.AgreementReserve, 90);
        var planner = ReliefFixtures.Optimal();
        ReliefDemandInput At(TimeSpan deadlineIn) => new("INC-1", "INC-1", new GeoPoint { Lat = 23.445, Lon = 113.145 }, IncidentType.Flood, 1, 10,
            new Dictionary<string, long> { ["lighting"] = 10 }, Now + deadlineIn);
        var lateUntil = Now + TimeSpan.FromHours(20);

        Assert.True(ReliefEscalation.ArrivesInTime(planner, reserve, At(TimeSpan.FromHours(3)), lateUntil, Now));
        Assert.False(ReliefEscalation.ArrivesInTime(planner, reserve, At(TimeSpan.FromMinutes(30)), lateUntil, Now));
        // Past its deadline, late relief is what the shortfall is about: in time until its end, not after it.
        Assert.True(ReliefEscalation.ArrivesInTime(planner, reserve, At(TimeSpan.FromMinutes(-10)), lateUntil, Now));
        Assert.False(ReliefEscalation.ArrivesInTime(planner, reserve, At(TimeSpan.FromMinutes(-10)), Now + TimeSpan.FromMinutes(60), Now));
    }

    [Fact]
    public void Activation_needs_a_reason_an_agreement_reserve_and_a_dormant_one()
    {
        var ok = ReserveActivationRule.Activate(WarehouseKind.AgreementReserve, null, new ReserveActivationRequest { Reason = "  lighting short  " }, Dispatcher, Now);
        Assert.Equal(("dispatcher-wang", Now, "lighting short"), (ok.ActivatedBy, ok.ActivatedAt, ok.Reason));

        foreach (var reason in new string?[] { null, "", "   ", new string('x', ReserveActivationRule.MaxReasonLength + 1) })
        {
            var invalid = Assert.Throws<DomainException>(() =>
                ReserveActivationRule.Activate(WarehouseKind.AgreementReserve, null, new ReserveActivationRequest { Reason = reason }, Dispatcher, Now));
            Assert.Equal((DomainErrorKind.Invalid, "reason"), (invalid.Kind, invalid.Field));
        }
        var notReserve = Assert.Throws<DomainException>(() =>
            ReserveActivationRule.Activate(WarehouseKind.RegionalDepot, null, new ReserveActivationRequest { Reason = "x" }, Dispatcher, Now));
        Assert.Equal(DomainErrorKind.Conflict, notReserve.Kind);
        var twice = Assert.Throws<DomainException>(() =>
            ReserveActivationRule.Activate(WarehouseKind.AgreementReserve, Active, new ReserveActivationRequest { Reason = "again" }, Dispatcher, Now));
        Assert.Equal(DomainErrorKind.Conflict, twice.Kind);

        ReserveActivationRule.Deactivate(WarehouseKind.AgreementReserve, Active);
        Assert.Equal(DomainErrorKind.Conflict, Assert.Throws<DomainException>(() => ReserveActivationRule.Deactivate(WarehouseKind.AgreementReserve, null)).Kind);
        Assert.Equal(DomainErrorKind.Conflict, Assert.Throws<DomainException>(() => ReserveActivationRule.Deactivate(WarehouseKind.CommercialReserve, null)).Kind);
    }

    [Fact]
    public void New_stock_asks_for_a_re_plan_only_when_the_plan_is_short_of_that_item_for_a_reason_stock_can_cure()
    {
        static ReliefShortfall Short(string item, string reason) =>
            new() { IncidentId = "INC-1", ItemCode = item, Missing = 10, Reason = reason, Detail = "" };
        static ReliefPlan Plan(params ReliefShortfall[] shortfalls) => new()
        {
            PlanId = 1, ComputedAt = Now, Solver = "SCIP", Demands = 1, PeopleCovered = 0, PeopleCoveredWeighted = 0, TonKm = 0,
            Allocations = [], Shortfalls = shortfalls, Escalations = [],
        };

        Assert.True(ReliefEscalation.StockMayHelp(Plan(Short("lighting", "StockShort")), "lighting"));
        Assert.True(ReliefEscalation.StockMayHelp(Plan(Short("tent", "KitIncomplete"), Short("lighting", "TooFar")), "lighting"));
        Assert.True(ReliefEscalation.StockMayHelp(Plan(Short("lighting", "NoTrucks")), "lighting"));
        // Lighting arriving helps nobody whose kit waits only for another item, nor a plan without shortfalls, nor no plan.
        Assert.False(ReliefEscalation.StockMayHelp(Plan(Short("lighting", "KitIncomplete"), Short("tent", "StockShort")), "lighting"));
        Assert.False(ReliefEscalation.StockMayHelp(Plan(), "lighting"));
        Assert.False(ReliefEscalation.StockMayHelp(null, "lighting"));
    }
}
