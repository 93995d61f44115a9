using HuaduDispatch.Contracts;

namespace HuaduDispatch.Grains.Relief;

/// <summary>
/// What to do about each shortfall: activate agreement reserves that hold the item, and ask the city for the rest. The request to the
/// city is exported as one OASIS EDXL-RM RequestResource message by <see cref="RequestEndpoint"/>.
/// </summary>
public static class ReliefEscalation
{
    /// <summary>Where the request to the city is exported as EDXL-RM.</summary>
    public const string RequestEndpoint = ReliefCityRequest.Endpoint;

    /// <summary>
    /// What a Shortfall alert is about: each item, how much is missing and why. Dispatchers are alerted when it changes, not again
    /// for each re-plan. NoTrucks and KitIncomplete both say the trucks are the limit: which one an item reads depends on where
    /// the plan sends the district's last free trucks, which moves from plan to plan (an exploratory surge had half its alerts
    /// differ in nothing else), so a change between them alone is no news.
    /// </summary>
    public static string AlertKey(IEnumerable<ReliefShortfall> shortfalls) =>
        string.Join(";", shortfalls.Select(s => $"{s.ItemCode}|{s.Missing}|{(s.Reason is "KitIncomplete" ? "NoTrucks" : s.Reason)}").Order(StringComparer.Ordinal));

    /// <param name="agreementReserves">Enterprise agreement reserves (代储) that are not activated (plans leave them alone until then).</param>
    /// <param name="avoided">Whether the dispatchers closed the route from a warehouse to an incident (<see cref="AvoidedRoutes"/>):
    /// activating such a reserve cannot help that incident, so it is not proposed for it.</param>
    /// <param name="inTime">Whether a reserve, once activated, would reach the incident by the time its shortfall is about
    /// (its deadline, or its late relief's end once past the deadline): a reserve that cannot is not proposed for it (an
    /// exploratory test saw reserves of 90 and 120 min mobilisation proposed for a deadline 10 minutes away). Null: all are.</param>
    public static IReadOnlyList<string> Propose(IReadOnlyList<ReliefShortfall> shortfalls, IReadOnlyList<Warehouse> agreementReserves,
        Func<string, string, bool>? avoided = null, Func<string, Warehouse, bool>? inTime = null)
    {
        var proposals = new List<string>();
        foreach (var s in shortfalls.Where(ReliefCityRequest.NeedsCity))
        {
            proposals.Add($"{s.IncidentId}: request {s.Missing} {s.ItemCode} from the city ({s.Reason}; EDXL-RM: GET {RequestEndpoint}?incidentId={s.IncidentId})");
            var holders = agreementReserves.Where(w => w.Stock.Any(l => l.ItemCode == s.ItemCode && l.Available > 0) && avoided?.Invoke(s.IncidentId, w.Id) != true
                    && inTime?.Invoke(s.IncidentId, w) != false)
                .Select(w => w.Id).ToList();
            if (holders.Count > 0) proposals.Add($"{s.IncidentId}: activate agreement reserve(s) {string.Join(", ", holders)} for {s.ItemCode} (POST /api/v1/warehouses/{{id}}/activation)");
        }
        return proposals;
    }

    /// <summary>
    /// Whether <paramref name="reserve"/>, activated now, would reach <paramref name="demand"/> by the time its shortfall is
    /// about: the deadline, or <paramref name="lateUntil"/> (the end of its late relief) once the deadline has passed. As the
    /// planner counts arrival (mobilisation, loading, travel); true when the planner cannot say.
    /// </summary>
    public static bool ArrivesInTime(IReliefPlanner planner, Warehouse reserve, ReliefDemandInput demand, DateTimeOffset lateUntil, DateTimeOffset now) =>
        planner.Arrival(ReliefWarehouseSelection.ToPlanner(reserve), demand, now) is not { } arrival
        || arrival <= (demand.Deadline > now ? demand.Deadline : lateUntil);

    /// <summary>
    /// Whether stock of <paramref name="itemCode"/> added at a warehouse (received, or adjusted up) may cover more people than
    /// <paramref name="plan"/>: it has a shortfall of that item that is not only waiting for another item of the kit
    /// (StockShort, TooFar or NoTrucks; the new stock may be nearer, or at a warehouse with free trucks). Stock of an item no
    /// shortfall needs changes nobody's coverage, so it does not cost a re-plan.
    /// </summary>
    public static bool StockMayHelp(ReliefPlan? plan, string itemCode) =>
        plan is not null && plan.Shortfalls.Any(s => s.ItemCode == itemCode && ReliefCityRequest.NeedsCity(s));
}
