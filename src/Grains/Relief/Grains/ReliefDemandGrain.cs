using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Realtime;
using Microsoft.Extensions.Options;

namespace HuaduDispatch.Grains.Relief.Grains;

[GenerateSerializer, Alias("huadu.ReliefDemandState")]
public sealed class ReliefDemandState
{
    [Id(0)] public bool Created { get; set; }
    [Id(1)] public ReliefDemandUpdate? Incident { get; set; }
    [Id(2)] public Dictionary<string, long> Needed { get; set; } = new(StringComparer.Ordinal);
    [Id(3)] public Dictionary<string, long> Delivered { get; set; } = new(StringComparer.Ordinal);
    [Id(4)] public Dictionary<string, Shipment> Shipments { get; set; } = new(StringComparer.Ordinal);
    [Id(5)] public List<ReliefShortfall> Shortfalls { get; set; } = [];
    [Id(6)] public int PeopleCoveredByPlan { get; set; }
    [Id(7)] public long PlanId { get; set; }
    [Id(8)] public Dictionary<string, int> Shelters { get; set; } = new(StringComparer.Ordinal);
    [Id(9)] public DateTimeOffset? FirstDeliveryAt { get; set; }
    /// <summary>Met or Breached once the deadline is judged; null before.</summary>
    [Id(11)] public ReliefStatus? Outcome { get; set; }
    [Id(12)] public DateTimeOffset UpdatedAt { get; set; }
    /// <summary>Every alert with its kind and time: the dispatcher feed, and the text lines the relief view shows.</summary>
    [Id(13)] public List<ReliefAlert> AlertLog { get; set; } = [];
    /// <summary>
    /// AtRisk and Breached notes for the incident (its partner events) that it has not confirmed storing. They are sent
    /// one-way (the incident may be calling this grain) and again at every deadline check until the incident confirms.
    /// </summary>
    [Id(14)] public Dictionary<ReliefStatus, string> NotesToIncident { get; set; } = [];
    /// <summary>Warehouses plans must not send from to this incident (<see cref="AvoidedRoutes"/>), by warehouse id.</summary>
    [Id(15)] public Dictionary<string, AvoidedWarehouse> Avoided { get; set; } = new(StringComparer.Ordinal);
    /// <summary>
    /// The deadline, <c>occurredAt + Relief:Deadline</c> as set when the demand was created, kept when the setting changes later
    /// (its reminder was set for it). A demand stored before it was kept gets it from the setting at its next activation, once.
    /// </summary>
    [Id(16)] public DateTimeOffset? Deadline { get; set; }
    /// <summary>Until when late relief is planned, <c>occurredAt + Relief:LateReliefUntil</c>, fixed as <see cref="Deadline"/> is.</summary>
    [Id(17)] public DateTimeOffset? LateUntil { get; set; }
    /// <summary>When the demand was created (its first update); null for one stored before the twenty-fourth session.</summary>
    [Id(18)] public DateTimeOffset? CreatedAt { get; set; }
    /// <summary>The surviving incident this relief was handed over to (the incident was merged); null otherwise.</summary>
    [Id(19)] public string? HandedTo { get; set; }
    /// <summary>The convoys handed over (and those set going after): their news is passed on to <see cref="HandedTo"/>'s relief.</summary>
    [Id(20)] public HashSet<string> Handed { get; set; } = new(StringComparer.Ordinal);
    /// <summary>The merged incidents whose reliefs were handed over to this one.</summary>
    [Id(21)] public List<string> TakenFrom { get; set; } = [];
    /// <summary>
    /// Relocated people of the closed incident who have left their shelters (<see cref="ReliefDemandGrain.PeopleLeft"/>): they
    /// need no place any more, and are not placed again should a shelter close.
    /// </summary>
    [Id(22)] public int LeftShelters { get; set; }
}

/// <summary>
/// An incident's relief demand: people × the per-capita standard, due at occurredAt + 3 h. Tracks what is planned, on the road
/// and delivered; a durable reminder judges it at deadline − 30 min (AtRisk alert) and at the deadline (Met or Breached).
/// </summary>
public sealed class ReliefDemandGrain(
    [PersistentState("relief-demand", StorageNames.Dispatch)] IPersistentState<ReliefDemandState> state,
    ReliefStandard standard,
    IOptions<ReliefOptions> options,
    TimeProvider clock) : Grain, IReliefDemandGrain, IRemindable
{
    private const string Watch = "relief-deadline";
    private ReliefDemandState S => state.State;
    private string Key => this.GetPrimaryKeyString();
    private DateTimeOffset Deadline => S.Deadline ?? S.Incident!.OccurredAt + options.Value.Deadline;
    /// <summary>Until when what is still missing is planned, after the deadline too (<see cref="LateRelief"/>).</summary>
    private DateTimeOffset LateUntil => S.LateUntil ?? S.Incident!.OccurredAt + options.Value.LateReliefUntil;

    /// <summary>
    /// Fixes the deadline and the late relief's end from the settings, when the demand is created and, for a demand stored
    /// before they were kept, once at its next activation. Before 2026-12-05 they were computed from the settings at every read,
    /// so a changed <c>Relief:Deadline</c> moved every existing demand's deadline while its reminder kept the old time.
    /// </summary>
    private bool FixDeadline()
    {
        if (!S.Created || S.Incident is null || (S.Deadline is not null && S.LateUntil is not null)) return false;
        S.Deadline ??= S.Incident.OccurredAt + options.Value.Deadline;
        S.LateUntil ??= S.Incident.OccurredAt + options.Value.LateReliefUntil;
        return true;
    }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (FixDeadline()) await state.WriteStateAsync(cancellationToken);
    }

    public async Task Update(ReliefDemandUpdate update, Actor actor)
    {
        var first = !S.Created;
        var peopleChanged = first || S.Incident!.Affected != update.Affected || S.Incident.Relocated != update.Relocated;
        var wasNobody = !first && Nobody();
        var withdrawnNow = update.Withdrawn && (first || !S.Incident!.Withdrawn);
        S.Created = true;
        if (first) S.CreatedAt = clock.GetUtcNow();
        S.Incident = update;
        FixDeadline();
        var reopened = false;
        // Convoys loading or on the road are not withdrawn with the plan (their stock is on trucks): the dispatcher is told. A
        // merged incident's go on for the same people, counted at the survivor's relief (HandOver).
        if (withdrawnNow && update.MergedInto is { } survivor)
            UnderWay(S.Shipments.Values, $"the incident is merged into {survivor}", $"they go on for its people and count in its relief");
        else if (withdrawnNow) UnderWay(S.Shipments.Values, Withdrawal);
        else if (!first && !wasNobody && Nobody()) UnderWay(S.Shipments.Values, "the relief needs nothing (figures corrected to nobody)");
        // A false alarm's people hold no shelter places. A merged incident's keep theirs until they pass to the survivor (HandOver).
        if (update.Withdrawn && update.MergedInto is null && S.Shelters.Count > 0) await PlaceRelocated(update, actor);
        if (peopleChanged)
        {
            var affected = Math.Max(update.Affected, update.Relocated);
            S.Needed = new Dictionary<string, long>(standard.Kit(affected, update.Relocated), StringComparer.Ordinal);
            if (!update.Withdrawn) ShelterShort(await PlaceRelocated(update, actor), again: false);
            // Met before the deadline, then more people reported: the relief is open again, planned and judged at the deadline.
            if (S.Outcome == ReliefStatus.Met && !FullyDelivered() && clock.GetUtcNow() < Deadline)
            {
                S.Outcome = null;
                reopened = true;
            }
        }
        await Save();
        // People again after a correction to nobody: the deadline checks, dropped while there was nobody to judge, are back.
        if (first || reopened || (wasNobody && !Nobody() && S.Outcome is null))
            await this.RegisterOrUpdateReminder(Watch, Due(), TimeSpan.FromMinutes(1));
        var coordinator = GrainFactory.Grain<IReliefCoordinatorGrain>(ReliefCoordinator.GrainKey);
        await coordinator.Track(Key);
        await coordinator.RequestReplan();
    }

    public async Task HandOver(string survivor, Actor actor)
    {
        if (S.HandedTo is not null && S.HandedTo != survivor) throw DomainException.Conflict($"the relief of incident {Key} was handed over to {S.HandedTo}");
        var convoys = S.Shipments.Values.Where(s => s.Status is ShipmentStatus.Loading or ShipmentStatus.Departed or ShipmentStatus.Delivered).ToList();
        if (S.HandedTo is null)
        {
            // Stored first: from here on the convoys' news is passed on (a convoy delivered while this call runs is not lost).
            S.HandedTo = survivor;
            S.Handed.UnionWith(convoys.Select(s => s.Id));
            if (S.Created) await Save();
            else await state.WriteOrRestartAsync(this);
        }
        if (convoys.Count > 0 || S.Shelters.Count > 0)
        {
            await GrainFactory.Grain<IReliefDemandGrain>(survivor).TakeOver(Key, new ReliefHandOver
            {
                Shipments = convoys, Shelters = new Dictionary<string, int>(S.Shelters, StringComparer.Ordinal),
            }, actor);
            // The places are the survivor's now (the shelters hold them for it).
            if (S.Shelters.Count > 0)
            {
                S.Shelters.Clear();
                await Save();
            }
        }
    }

    public async Task TakeOver(string from, ReliefHandOver handOver, Actor actor)
    {
        // Merged in turn meanwhile: what comes goes on to the incident that takes reports now.
        if (S.HandedTo is { } next)
        {
            await GrainFactory.Grain<IReliefDemandGrain>(next).TakeOver(from, handOver, actor);
            return;
        }
        if (S.TakenFrom.Contains(from)) return;
        foreach (var shipment in handOver.Shipments)
        {
            // Already heard of here: its news was passed on after the hand-over was stored, and is newer than this list.
            if (S.Shipments.ContainsKey(shipment.Id)) continue;
            S.Shipments[shipment.Id] = shipment;
            if (shipment.Status == ShipmentStatus.Delivered) CountDelivery(shipment, shipment.DeliveredAt ?? shipment.UpdatedAt);
        }
        // The shelter is the record of who holds its places: this relief takes the count it answers (a retry after a failure
        // finds the places moved already and answers the same).
        foreach (var (shelterId, _) in handOver.Shelters.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var held = await GrainFactory.Grain<IShelterGrain>(shelterId).Transfer(from, Key, actor);
            if (held > 0) S.Shelters[shelterId] = held;
        }
        S.TakenFrom.Add(from);
        // Not created yet (this incident had nobody affected): stored, and shown once the incident's figures come, at once.
        if (S.Created) await Save();
        else await state.WriteOrRestartAsync(this);
        await GrainFactory.Grain<IReliefCoordinatorGrain>(ReliefCoordinator.GrainKey).RequestReplan();
    }

    /// <summary>
    /// Adds what a delivered convoy brought (what it received, or all it carried) to the delivered quantities, and its time to the
    /// first delivery: a convoy that brought nothing at all is no delivery for the initial relief time, and a delivery reported
    /// late (its occurredAt) may have arrived before one reported earlier: the first is the earliest.
    /// </summary>
    private void CountDelivery(Shipment shipment, DateTimeOffset deliveredAt)
    {
        foreach (var line in shipment.Received ?? shipment.Lines)
            S.Delivered[line.ItemCode] = S.Delivered.GetValueOrDefault(line.ItemCode) + line.Quantity;
        if (ShipmentReceipt.AnythingArrived(shipment.Received ?? shipment.Lines) && !(S.FirstDeliveryAt <= deliveredAt)) S.FirstDeliveryAt = deliveredAt;
    }

    public Task<IncidentRelief?> Get() => Task.FromResult(S.Created ? View() : null);

    public Task<IReadOnlyList<ReliefAlert>> GetAlerts() => Task.FromResult<IReadOnlyList<ReliefAlert>>(S.Created ? [.. S.AlertLog] : []);

    public Task<ReliefPlanningInput?> GetPlanningInput() => PlanningInput([]);

    /// <summary>
    /// What the plan is to provide, counting as on the way the convoys the coordinator read under way that this relief has not
    /// been told of yet (it still has them Planned, or not at all): until the thirty-first session a plan made between a
    /// convoy's loading and the relief hearing of it planned the convoy's load again, or escalated it to the city (the second
    /// verifier's H1).
    /// </summary>
    public Task<ReliefPlanningInput?> GetPlanningInputWith(IReadOnlyList<Shipment> underWay) => PlanningInput(underWay);

    private Task<ReliefPlanningInput?> PlanningInput(IReadOnlyList<Shipment> underWay)
    {
        // Past the deadline the outcome stands, but what is still missing is planned as late relief until LateUntil.
        if (!S.Created || !S.Incident!.Open || clock.GetUtcNow() >= (LateUntil > Deadline ? LateUntil : Deadline)) return Task.FromResult<ReliefPlanningInput?>(null);
        var onTheWay = OnTheWay(underWay);
        var kit = S.Needed
            .Select(kv => new ItemQuantity { ItemCode = kv.Key, Quantity = Math.Max(0, kv.Value - S.Delivered.GetValueOrDefault(kv.Key) - onTheWay.GetValueOrDefault(kv.Key)) })
            .Where(q => q.Quantity > 0).ToList();
        if (kit.Count == 0) return Task.FromResult<ReliefPlanningInput?>(null);
        var people = Math.Max(S.Incident.Affected, S.Incident.Relocated) - CoveredBy(S.Delivered, onTheWay);
        return Task.FromResult<ReliefPlanningInput?>(new ReliefPlanningInput
        {
            IncidentId = Key, Type = S.Incident.Type, Location = S.Incident.Location, Priority = S.Incident.Priority,
            People = Math.Max(1, people), Kit = kit, Deadline = Deadline, LateUntil = LateUntil,
            AvoidWarehouses = [.. S.Avoided.Keys.Order(StringComparer.Ordinal)],
        });
    }

    public async Task ApplyPlan(long planId, IReadOnlyList<Shipment> planned, IReadOnlyList<ReliefShortfall> shortfalls, int peopleCovered)
    {
        if (!S.Created || planId < S.PlanId) return;
        var before = Visible();
        S.PlanId = planId;
        // Convoys of earlier plans still Planned here were withdrawn by the coordinator (their notice may not have come yet).
        foreach (var old in S.Shipments.Values.Where(s => s.Status == ShipmentStatus.Planned && s.PlanId < planId).ToList())
            S.Shipments.Remove(old.Id);
        // A convoy the demand already saw move on (Loading, ...) keeps its newer status.
        foreach (var s in planned)
            if (!S.Shipments.TryGetValue(s.Id, out var known) || known.Status == ShipmentStatus.Planned) S.Shipments[s.Id] = s;
        // Re-plans come with every change; the dispatchers are alerted when the shortfall changes (ReliefEscalation.AlertKey).
        var changed = ReliefEscalation.AlertKey(shortfalls) != ReliefEscalation.AlertKey(S.Shortfalls);
        var wasShort = S.Shortfalls.Count > 0;
        S.Shortfalls = [.. shortfalls];
        S.PeopleCoveredByPlan = peopleCovered;
        if (shortfalls.Count > 0 && changed)
        {
            var items = string.Join(", ", shortfalls.Select(s => $"{s.ItemCode} {s.Missing} {s.Reason}"));
            var city = shortfalls.Any(ReliefCityRequest.NeedsCity) ? $"; request to the city: GET {ReliefCityRequest.Endpoint}?incidentId={Key}" : "";
            Alert(ReliefAlertKind.Shortfall, $"plan {planId}: {shortfalls.Count} shortfall(s) ({items}) — escalation proposed{city}");
        }
        // Cleared because the plan now brings every item by the deadline: the feed's last word on the incident no longer reads
        // "short" (a logistics-chief tester's F7: it did, for plans after the incident was fully covered again). Not when the
        // lines went because the incident left planning for the deadline (the deadline passed: Met or Breached says how it
        // ended; closed, cancelled or merged).
        else if (shortfalls.Count == 0 && wasShort && clock.GetUtcNow() < Deadline && S.Incident is { Open: true, Withdrawn: false })
            Alert(ReliefAlertKind.ShortfallCleared, $"plan {planId}: no shortfall left: the plan brings every item by the deadline; the escalation for this incident is no longer needed");
        // A re-plan comes with every change anywhere in the district, and leaves most demands as they were: then nothing a
        // reader sees changed, and neither a write nor a delta to every console is made. The plan id stays in memory only
        // (it orders the plans this activation is told of; the coordinator tells them in order).
        if (Visible().AsSpan().SequenceEqual(before)) return;
        await Save();
    }

    /// <summary>The relief as readers see it, but for its time of update: equal before and after a change that changed nothing.</summary>
    private byte[] Visible() => System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(View() with { UpdatedAt = default }, DispatchJson.Options);

    public async Task ShipmentWithdrawn(string shipmentId)
    {
        if (!S.Created || !S.Shipments.Remove(shipmentId)) return;
        await Save();
    }

    public async Task ShipmentChanged(Shipment shipment, bool replan)
    {
        if (!S.Created)
        {
            // A convoy of a merged incident whose relief was handed over here before this incident's figures came: its news
            // waits for them (the shipment tells it again).
            if (S.TakenFrom.Count > 0) throw new InvalidOperationException($"the relief of incident {Key} takes over convoys but has no figures yet; the convoy's news is told again");
            return;
        }
        var noted = false;
        var completed = false;
        // Told again (the shipment's retry after a failed call): a delivery counts once.
        var counted = S.Shipments.TryGetValue(shipment.Id, out var known) && known.Status == ShipmentStatus.Delivered;
        S.Shipments[shipment.Id] = shipment;
        // A convoy of a withdrawn relief set loading or sent out after the withdrawal (before the next plan withdrew it).
        var startedNow = shipment.Status is ShipmentStatus.Loading or ShipmentStatus.Departed
            && known?.Status is not (ShipmentStatus.Loading or ShipmentStatus.Departed or ShipmentStatus.Delivered);
        if (startedNow && S.Incident!.Withdrawn && S.HandedTo is null) UnderWay([shipment], Withdrawal);
        if (shipment.Status == ShipmentStatus.Delivered && !counted)
        {
            var deliveredAt = shipment.DeliveredAt ?? clock.GetUtcNow();
            CountDelivery(shipment, deliveredAt);
            completed = FullyDelivered();
            // Met when every item had arrived by the deadline, by the deliveries' own times: also when the report comes after
            // the deadline, and even after the judgement, which found the kit incomplete because this delivery was not yet
            // reported (a crew radioing in late): the outcome is corrected.
            if (!Nobody() && !S.Incident!.Withdrawn && S.Outcome is not ReliefStatus.Met && FullyDeliveredBy(Deadline))
            {
                var corrected = S.Outcome == ReliefStatus.Breached;
                S.Outcome = ReliefStatus.Met;
                Alert(ReliefAlertKind.Met, corrected
                    ? $"Met: every item delivered by the deadline (corrected from Breached: {shipment.Id} reported delivered at {deliveredAt:O})"
                    : "Met: every item delivered by the deadline");
                S.NotesToIncident[ReliefStatus.Met] = S.AlertLog[^1].Text;
                noted = true;
            }
        }
        // Handed over to the survivor of a merge: the convoy's news counts there (a failure there has the shipment tell it again).
        var passOn = S.HandedTo is not null && (S.Handed.Contains(shipment.Id) || shipment.Status is ShipmentStatus.Loading or ShipmentStatus.Departed or ShipmentStatus.Delivered);
        if (passOn) S.Handed.Add(shipment.Id);
        await Save();
        if (passOn)
        {
            await GrainFactory.Grain<IReliefDemandGrain>(S.HandedTo!).ShipmentChanged(shipment, replan);
            return;
        }
        if (noted)
        {
            await SendNotes();
            // Sent again at each check until the incident confirms it: the deadline's reminder may be gone (after a breach).
            await this.RegisterOrUpdateReminder(Watch, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        }
        // A short delivery or a convoy cancelled by a person re-opens the rest (the coordinator's own cancellations do not); a
        // delivery that completes the kit leaves nothing to plan, and the next plan clears the relief's shortfalls. Until the
        // thirty-third session nothing asked for that plan: a relief Met kept its shortfalls, the KPI its open shortfalls and
        // the request to the city its goods, until an unrelated change re-planned (a logistics-chief tester saw 100 s).
        if (replan || completed) await GrainFactory.Grain<IReliefCoordinatorGrain>(ReliefCoordinator.GrainKey).RequestReplan();
    }

    public async Task<IncidentRelief> AvoidWarehouse(string warehouseId, string? reason, string? shipmentId, Actor actor)
    {
        if (!S.Created) throw DomainException.NotFound($"incident {Key} has no relief demand (no affected or relocated people in its assessment)");
        // Asked directly for a withdrawn relief: refused. A convoy cancelled for its route (shipmentId) is still cancelled.
        if (S.Incident!.Withdrawn && shipmentId is null && !S.Avoided.ContainsKey(warehouseId))
            throw DomainException.Conflict($"incident {Key} was cancelled or merged: its relief is withdrawn and never planned, so no route is avoided for it");
        var entry = AvoidedRoutes.Avoid(S.Avoided, warehouseId, reason, shipmentId, actor, clock.GetUtcNow());
        if (!S.Avoided.ContainsKey(warehouseId))
        {
            S.Avoided[warehouseId] = entry;
            await Save();
        }
        // Also on a retry: the re-plan asked for the first time may not have been asked.
        await GrainFactory.Grain<IReliefCoordinatorGrain>(ReliefCoordinator.GrainKey).RequestReplan();
        return View();
    }

    public async Task<IncidentRelief> AllowWarehouse(string warehouseId, Actor actor)
    {
        if (!S.Created) throw DomainException.NotFound($"incident {Key} has no relief demand (no affected or relocated people in its assessment)");
        if (S.Avoided.Remove(warehouseId))
        {
            await Save();
            await GrainFactory.Grain<IReliefCoordinatorGrain>(ReliefCoordinator.GrainKey).RequestReplan();
        }
        return View();
    }

    public async Task<IncidentRelief?> CheckDeadline()
    {
        if (!S.Created) return null;
        var now = clock.GetUtcNow();
        await SendNotes(); // notes the incident has not confirmed (a lost message, a failed write)
        // A cancelled or merged incident's relief is not judged: a false alarm or a duplicate is no breach of the promise. Nor
        // is one whose figures were corrected to nobody affected or relocated: with nothing needed, "Met: every item
        // delivered" would be no news (an exploratory test saw it raised for a relief that had nothing delivered).
        var judged = !S.Incident!.Withdrawn && !Nobody();
        if (judged && S.Outcome is null && now >= Deadline - options.Value.AtRiskBefore && now < Deadline && !FullyDelivered() && !RaisedAtRisk())
        {
            Alert(ReliefAlertKind.AtRisk, $"AtRisk: {Missing()} still missing {(Deadline - now).TotalMinutes:0} min before the deadline");
            S.NotesToIncident[ReliefStatus.AtRisk] = S.AlertLog[^1].Text;
            await Save();
            await SendNotes();
        }
        if (judged && S.Outcome is null && now < Deadline && RaisedAtRisk())
        {
            // Judge Met or Breached at the deadline itself, not up to a reminder period after it. While the incident has not
            // confirmed the AtRisk note, check (and send it) again within a minute, not only at the deadline, up to 30 min later.
            var untilDeadline = Deadline - now + TimeSpan.FromMilliseconds(200);
            var retry = TimeSpan.FromMinutes(1);
            await this.RegisterOrUpdateReminder(Watch, S.NotesToIncident.Count > 0 && retry < untilDeadline ? retry : untilDeadline, retry);
        }
        if (judged && S.Outcome is null && now >= Deadline)
        {
            // Judged on what had arrived at the deadline, whenever the reminder runs (it can be late after a failover).
            S.Outcome = FullyDeliveredBy(Deadline) ? ReliefStatus.Met : ReliefStatus.Breached;
            Alert(S.Outcome == ReliefStatus.Met ? ReliefAlertKind.Met : ReliefAlertKind.Breached, S.Outcome == ReliefStatus.Met ? "Met: every item delivered by the deadline" : $"Breached: {Missing()} missing at the deadline" + (S.CreatedAt is { } known && known >= Deadline ? $"; reported after its deadline (known at {DistrictTime.Text(known)})" : ""));
            S.NotesToIncident[S.Outcome.Value] = S.AlertLog[^1].Text;
            await Save();
            await SendNotes();
            // What is still missing is now planned as late relief (LateRelief); before, the plan for the deadline had it.
            if (S.Outcome == ReliefStatus.Breached && S.Incident.Open && now < LateUntil)
                await GrainFactory.Grain<IReliefCoordinatorGrain>(ReliefCoordinator.GrainKey).RequestReplan();
        }
        // The reminder stays while a note is unconfirmed: each check sends it again.
        if ((S.Outcome is not null || !judged) && S.NotesToIncident.Count == 0 && await this.GetReminder(Watch) is { } reminder) await this.UnregisterReminder(reminder);
        return View();
    }

    public async Task IncidentNoted(ReliefStatus status)
    {
        if (!S.NotesToIncident.Remove(status)) return;
        await Save();
    }

    /// <summary>
    /// Sends the unconfirmed notes, one-way: the incident records each as a partner event once (a repeat is only confirmed
    /// again) and confirms with <see cref="IncidentNoted"/> after its write. The outcome in force goes last (a breach corrected
    /// to Met: Breached, then Met; Met before the deadline, then more people and a breach: Met, then Breached), AtRisk first.
    /// </summary>
    private async Task SendNotes()
    {
        foreach (var (status, text) in S.NotesToIncident.OrderBy(n => n.Key == S.Outcome ? 2 : n.Key == ReliefStatus.AtRisk ? 0 : 1))
            await GrainFactory.Grain<IIncidentGrain>(this.GetPrimaryKeyString()).NoteRelief(status, text);
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == Watch) await CheckDeadline();
    }

    private TimeSpan Due()
    {
        var untilAtRisk = Deadline - options.Value.AtRiskBefore - clock.GetUtcNow();
        return untilAtRisk > TimeSpan.Zero ? untilAtRisk : TimeSpan.FromSeconds(1);
    }

    public async Task PlaceAgain()
    {
        if (!S.Created || S.Incident is not { Open: true, Withdrawn: false } update) return;
        var placed = S.Shelters.Values.Sum();
        if (placed >= update.Relocated) return;
        var before = new Dictionary<string, int>(S.Shelters, StringComparer.Ordinal);
        var unplaced = await PlaceRelocated(update, Actor.System);
        // No room near enough after all: nothing changed, no second alert.
        if (before.Count == S.Shelters.Count && before.All(kv => S.Shelters.GetValueOrDefault(kv.Key) == kv.Value)) return;
        ShelterShort(unplaced, again: true);
        await Save();
    }

    public async Task ShelterClosed(string shelterId)
    {
        if (S.Created && S.Shelters.Remove(shelterId))
        {
            // Its people need a place elsewhere, also when the incident is closed (its response ended, not their stay): until
            // the thirty-second session a closed incident's people lost their place with no alert. A withdrawn relief's have none.
            if (S.Incident is { Withdrawn: false } update) ShelterShort(await PlaceRelocated(update, Actor.System), again: false);
            await Save();
        }
        // Stored (or nothing to do: told before): the shelter stops telling (it tells again until this gets there).
        await GrainFactory.Grain<IShelterGrain>(shelterId).ClosureNoted(Key);
    }

    public async Task<IncidentRelief> PeopleLeft(string shelterId, int? people, Actor actor)
    {
        if (!S.Created) throw DomainException.NotFound($"incident {Key} has no relief demand (no affected or relocated people in its assessment)");
        // The input first, then the state (a partner tester saw a 409 for an open incident answer a body that was a 400).
        if (people is < 1) throw DomainException.Invalid("people", "people must be at least 1 (leave it out when all have left)");
        if (S.Incident!.Open)
            throw DomainException.Conflict($"incident {Key} is open: its relocated figure places its people; when they leave a shelter, lower it (POST /api/v1/incidents/{Key}/assessments)");
        if (!S.Shelters.TryGetValue(shelterId, out var held))
            throw DomainException.Conflict($"incident {Key} holds no places at shelter {shelterId}" + (S.Shelters.Count > 0 ? $"; it holds places at {string.Join(", ", S.Shelters.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key} ({kv.Value})"))}" : ""));
        if (people > held) throw DomainException.Invalid("people", $"people is {people}; incident {Key} holds {held} places at shelter {shelterId}");
        var leaving = people ?? held;
        var stay = await GrainFactory.Grain<IShelterGrain>(shelterId).Admit(Key, held - leaving, actor);
        if (stay > 0) S.Shelters[shelterId] = stay;
        else S.Shelters.Remove(shelterId);
        S.LeftShelters += held - stay;
        await Save();
        return View();
    }

    private void ShelterShort(int unplaced, bool again)
    {
        if (unplaced > 0) Alert(ReliefAlertKind.ShelterShort, $"ShelterShort: {unplaced} relocated people {(again ? "still " : "")}have no shelter place");
    }

    /// <summary>
    /// Places the incident's relocated people (<see cref="ShelterPlacements"/>): those already housed stay where they are; fewer
    /// people leave the farthest shelters first, more go nearest-first to shelters with room (each shelter keeps the incident's
    /// head count). A withdrawn relief holds no places. Returns how many found no place.
    /// </summary>
    private async Task<int> PlaceRelocated(ReliefDemandUpdate update, Actor actor)
    {
        // A closed incident's people who left their shelters need no place (PeopleLeft).
        var relocated = update.Withdrawn ? 0 : Math.Max(0, update.Relocated - (update.Open ? 0 : S.LeftShelters));
        var km = (await GrainFactory.Grain<IReferenceDataGrain>(ReferenceData.GrainKey).GetShelters())
            .ToDictionary(s => s.Id, s => Dispatch.Recommendation.TravelTimeModel.DistanceKm(s.Position, update.Location), StringComparer.Ordinal);
        var nearestFirst = km.OrderBy(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key).ToList();
        var (placed, unplaced) = await ShelterPlacements.Place(S.Shelters, relocated, nearestFirst,
            (shelterId, people) => GrainFactory.Grain<IShelterGrain>(shelterId).Admit(Key, people, actor));
        // People sent farther than they walk are flagged (until the thirty-second session 9,000 people of one landslide went to
        // schools 10 to 13 km away without a word: the typhoon-night tester).
        if (ShelterPlacements.SentFarther(S.Shelters, placed, km, options.Value.ShelterFarKm) is { Count: > 0 } far)
            Alert(ReliefAlertKind.ShelterFar, $"ShelterFar: relocated people placed more than {options.Value.ShelterFarKm:0.#} km away, the nearer shelters being full or closed: "
                + string.Join(", ", far.Select(f => $"{f.Added} at {f.ShelterId} ({f.Km:0.0} km)")));
        S.Shelters = placed;
        return unplaced;
    }

    /// <summary>
    /// What is loading or on the road: this relief's convoys, each as this relief knows it or, when it knows it only as Planned
    /// (or not at all), as <paramref name="seen"/> has it (the coordinator's reading of the convoys under way).
    /// </summary>
    private Dictionary<string, long> OnTheWay(IReadOnlyList<Shipment>? seen = null)
    {
        var convoys = new Dictionary<string, Shipment>(S.Shipments, StringComparer.Ordinal);
        foreach (var s in seen ?? [])
            if (s.IncidentId == Key && (!convoys.TryGetValue(s.Id, out var known) || known.Status == ShipmentStatus.Planned)) convoys[s.Id] = s;
        var sum = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var s in convoys.Values.Where(s => s.Status is ShipmentStatus.Loading or ShipmentStatus.Departed))
            foreach (var l in s.Lines) sum[l.ItemCode] = sum.GetValueOrDefault(l.ItemCode) + l.Quantity;
        return sum;
    }

    /// <summary>People whose whole kit the quantities <paramref name="a"/> + <paramref name="b"/> hold (<see cref="ReliefStandard.PeopleCovered"/>).</summary>
    private int CoveredBy(IReadOnlyDictionary<string, long> a, IReadOnlyDictionary<string, long> b)
    {
        var people = Math.Max(S.Incident!.Affected, S.Incident.Relocated);
        if (S.Needed.Count == 0 || people == 0) return 0;
        // The kit held whole (it may come from an earlier standard): everyone, as before the search.
        if (S.Needed.All(kv => a.GetValueOrDefault(kv.Key) + b.GetValueOrDefault(kv.Key) >= kv.Value)) return people;
        return standard.PeopleCovered(people, S.Incident.Relocated, item => a.GetValueOrDefault(item) + b.GetValueOrDefault(item));
    }

    /// <summary>Whether the incident's figures now have nobody affected or relocated (a correction): nothing to relieve.</summary>
    private bool Nobody() => S.Incident is { } incident && Math.Max(incident.Affected, incident.Relocated) == 0;

    private bool FullyDelivered() => S.Needed.All(kv => S.Delivered.GetValueOrDefault(kv.Key) >= kv.Value);

    /// <summary>Whether the convoys delivered by <paramref name="at"/> brought every item of the kit.</summary>
    private bool FullyDeliveredBy(DateTimeOffset at)
    {
        var arrived = ArrivedBy(at);
        return S.Needed.All(kv => arrived.GetValueOrDefault(kv.Key) >= kv.Value);
    }

    /// <summary>What the convoys delivered by <paramref name="at"/> brought: what they received, or all they carried.</summary>
    private Dictionary<string, long> ArrivedBy(DateTimeOffset at)
    {
        var arrived = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var shipment in S.Shipments.Values.Where(s => s.Status == ShipmentStatus.Delivered && (s.DeliveredAt ?? s.UpdatedAt) <= at))
            foreach (var line in shipment.Received ?? shipment.Lines) arrived[line.ItemCode] = arrived.GetValueOrDefault(line.ItemCode) + line.Quantity;
        return arrived;
    }

    private string Missing() => string.Join(", ", S.Needed.Where(kv => S.Delivered.GetValueOrDefault(kv.Key) < kv.Value)
        .Select(kv => $"{kv.Key} {kv.Value - S.Delivered.GetValueOrDefault(kv.Key)}"));

    private const string Withdrawal = "the relief is withdrawn (incident cancelled or merged)";

    /// <summary>A <see cref="ReliefAlertKind.ConvoyUnderWay"/> alert naming those of <paramref name="shipments"/> loading or on the road, if any.</summary>
    private void UnderWay(IEnumerable<Shipment> shipments, string why, string what = "cancel a Loading convoy to give its stock back, or let it go on")
    {
        var underWay = shipments.Where(s => s.Status is ShipmentStatus.Loading or ShipmentStatus.Departed).OrderBy(s => s.Id, StringComparer.Ordinal).ToList();
        if (underWay.Count == 0) return;
        Alert(ReliefAlertKind.ConvoyUnderWay, $"ConvoyUnderWay: {why} but "
            + string.Join("; ", underWay.Select(s => $"{s.Id} from {s.WarehouseId} is {s.Status} ({ShipmentReceipt.Describe(s.Lines)})"))
            + ": " + what);
    }

    private void Alert(ReliefAlertKind kind, string text) =>
        S.AlertLog.Add(new ReliefAlert { IncidentId = Key, Kind = kind, Text = text, At = clock.GetUtcNow() });

    private bool RaisedAtRisk() => S.AlertLog.Any(a => a.Kind == ReliefAlertKind.AtRisk);

    private ReliefStatus Status()
    {
        if (S.Outcome is { } outcome) return outcome;
        if (FullyDelivered()) return ReliefStatus.Met;
        if (S.Shortfalls.Count > 0 || RaisedAtRisk()) return ReliefStatus.AtRisk;
        // Closed with the kit incomplete: nothing more is planned for it, so it is not on track (the deadline judges it).
        if (S.Incident is { Open: false, Withdrawn: false }) return ReliefStatus.AtRisk;
        return ReliefStatus.OnTrack;
    }

    /// <summary>
    /// Writes the state (a failed write restarts the activation: a first update that failed is a first update again when
    /// retried, and registers the deadline reminder) and pushes the relief.
    /// </summary>
    private async Task Save()
    {
        S.UpdatedAt = clock.GetUtcNow();
        await state.WriteOrRestartAsync(this);
        var view = View();
        // Never call the incident here: it may be waiting on this grain (the incident calls Update).
        var scopes = new List<string> { Scopes.District, Scopes.Incident(Key), Scopes.Area(S.Incident!.AreaId) };
        Publish.To(GrainFactory, scopes, [new EntityChange { Kind = DeltaKinds.Relief, Id = Key, Data = view }]);
    }

    private IncidentRelief View()
    {
        var onTheWay = OnTheWay();
        var planned = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var s in S.Shipments.Values.Where(s => s.Status == ShipmentStatus.Planned))
            foreach (var l in s.Lines) planned[l.ItemCode] = planned.GetValueOrDefault(l.ItemCode) + l.Quantity;
        return new IncidentRelief
        {
            IncidentId = Key,
            Affected = S.Incident!.Affected,
            Relocated = S.Incident.Relocated,
            OccurredAt = S.Incident.OccurredAt,
            Deadline = Deadline,
            Status = Status(),
            Needs = [.. S.Needed.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new ReliefNeed
            {
                ItemCode = kv.Key, Needed = kv.Value, Delivered = S.Delivered.GetValueOrDefault(kv.Key),
                InTransit = onTheWay.GetValueOrDefault(kv.Key), Planned = planned.GetValueOrDefault(kv.Key),
            })],
            Shipments = [.. S.Shipments.Values.OrderBy(s => s.Id, StringComparer.Ordinal)],
            Shortfalls = S.Shortfalls,
            PeopleCoveredByPlan = S.PeopleCoveredByPlan,
            Shelters = new Dictionary<string, int>(S.Shelters),
            FirstDeliveryAt = S.FirstDeliveryAt,
            Alerts = [.. S.AlertLog.Select(a => $"{a.Text} ({a.At:O})")],
            UpdatedAt = S.UpdatedAt,
            Open = S.Incident.Open,
            Withdrawn = S.Incident.Withdrawn,
            PeopleRelievedByDeadline = CoveredBy(ArrivedBy(Deadline), new Dictionary<string, long>()),
            AvoidedWarehouses = [.. S.Avoided.Values.OrderBy(a => a.WarehouseId, StringComparer.Ordinal)],
            KnownAt = S.CreatedAt,
            HandedTo = S.HandedTo,
            TakenFrom = [.. S.TakenFrom],
        };
    }
}
