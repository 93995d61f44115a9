using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Dispatch.Recommendation;
using HuaduDispatch.Grains.Realtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HuaduDispatch.Grains.Relief.Grains;

[GenerateSerializer, Alias("huadu.ReliefCoordinatorState")]
public sealed class ReliefCoordinatorState
{
    [Id(0)] public HashSet<string> Tracked { get; set; } = new(StringComparer.Ordinal);
    [Id(1)] public long PlanSeq { get; set; }
    [Id(2)] public ReliefPlan? Plan { get; set; }
    /// <summary>
    /// Shipments (id → warehouse id) this coordinator created, or is about to create, that are still Planned or may still hold
    /// trucks (see <see cref="FleetInUse"/>). Written before a plan reserves anything, so a crash part-way through a commit leaves
    /// nothing the next plan cannot find and undo.
    /// </summary>
    [Id(3)] public Dictionary<string, string> Outstanding { get; set; } = new(StringComparer.Ordinal);
    /// <summary>The incidents the last plan was made for; one that drops out of planning gets its shortfalls cleared.</summary>
    [Id(4)] public HashSet<string> LastPlanIncidents { get; set; } = new(StringComparer.Ordinal);
    /// <summary>The relief deadline of each tracked incident that was ever planned: past it, a demand is never planned again.</summary>
    [Id(5)] public Dictionary<string, DateTimeOffset> Deadlines { get; set; } = new(StringComparer.Ordinal);
    /// <summary>The latest re-plan's failure, until a plan is made again.</summary>
    [Id(6)] public ReliefSolveFailure? Failure { get; set; }
    /// <summary>The archive pages holding incidents moved out of <see cref="Tracked"/> (<see cref="ReliefArchive"/>).</summary>
    [Id(7)] public HashSet<string> ArchivePages { get; set; } = new(StringComparer.Ordinal);
    /// <summary>The end of each planned incident's late relief, as its demand fixed it (a changed setting does not move it).</summary>
    [Id(8)] public Dictionary<string, DateTimeOffset> LateUntil { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// The last plan number handed out, stored on its own (a few bytes) before a plan's commit uses it, so that a commit cut short
/// never gives its number to the next plan without a write of the coordinator's whole state.
/// </summary>
[GenerateSerializer, Alias("huadu.ReliefPlanSeqState")]
public sealed class ReliefPlanSeqState
{
    [Id(0)] public long Issued { get; set; }
}

/// <summary>
/// The district relief coordinator: plans every open demand over every warehouse with the exact OR-Tools planner (solved off
/// the grain's turn on a low-priority thread of its own, <see cref="PlannerThread"/>), then commits the plan as warehouse
/// reservations with ids — so a retried commit applies once and two plans never hold the same stock — and as Planned shipments. Re-plans (debounced) when demand, stock or a shipment changes,
/// and, after a re-plan that failed (reading its inputs, the solve or the commit), by itself with a growing delay
/// (<see cref="ReliefOptions.ReplanRetry"/>) until one succeeds.
/// </summary>
public sealed class ReliefCoordinatorGrain(
    [PersistentState("relief-coordinator", StorageNames.Dispatch)] IPersistentState<ReliefCoordinatorState> state,
    [PersistentState("relief-plan-seq", StorageNames.Dispatch)] IPersistentState<ReliefPlanSeqState> planSeq,
    IReliefPlanner planner,
    IOptions<ReliefOptions> options,
    TimeProvider clock,
    ILogger<ReliefCoordinatorGrain> logger) : Grain, IReliefCoordinatorGrain, IRemindable
{
    private IGrainTimer? _debounce;
    private DateTimeOffset? _trucksBackAt;

    /// <summary>
    /// The plan and the failure as last stored. The reads of the plan interleave with a re-plan (a solve of up to its budget,
    /// then the commit), so that a console's district snapshot or <c>GET /relief/plan</c> does not wait for it; they answer
    /// from here, never with a plan or a failure not yet written.
    /// </summary>
    private (ReliefPlan? Plan, ReliefSolveFailure? Failure) _stored;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _stored = (state.State.Plan, state.State.Failure);
        if (planSeq.State.Issued > state.State.PlanSeq) state.State.PlanSeq = planSeq.State.Issued;
        return Task.CompletedTask;
    }

    /// <summary>
    /// Stores <paramref name="planId"/> as handed out before anything outside the coordinator names it (a convoy amended or
    /// created, a relief's plan and its shortfall alert "plan N: ..."). Until the thirty-second session the number was stored
    /// with the coordinator's state only when the plan created or amended a convoy, so a node's death while the reliefs were told
    /// of a plan that only changed shortfalls gave the next plan the same number (the second verifier's L1).
    /// </summary>
    private async Task IssuePlanNumber(long planId)
    {
        if (planSeq.State.Issued >= planId) return;
        planSeq.State.Issued = planId;
        await planSeq.WriteOrRestartAsync(this);
    }

    /// <summary>Writes the state (a failed write restarts the activation), then lets the reads see what it stored.</summary>
    private async Task Write()
    {
        await state.WriteOrRestartAsync(this);
        _stored = (state.State.Plan, state.State.Failure);
    }

    /// <summary>
    /// Every write of the coordinator restarts the activation when it fails: an incident tracked only in memory would be skipped
    /// by the retried Track (already in the set) and lost at the next restart; a plan cut short is picked up from what was
    /// stored (see Outstanding), as after a crash.
    /// </summary>
    public async Task Track(string incidentId)
    {
        if (!state.State.Tracked.Add(incidentId)) return;
        try
        {
            await Write();
        }
        catch
        {
            // Not stored. The activation is dropped once idle, but a retry queued behind this call can still reach it first: it
            // must find the incident untracked, and write it.
            state.State.Tracked.Remove(incidentId);
            throw;
        }
    }


    /// <summary>When the last solve ended and how long it took, for pacing the re-plans changes ask for (in memory).</summary>
    private DateTimeOffset? _lastSolveEnded;
    private TimeSpan _lastSolveTook;

    /// <summary>
    /// A change asks for a re-plan: changes within the debounce are planned together, and after a long solve the next one waits
    /// until the planner's share of the time (<see cref="ReliefOptions.PlannerShare"/>) allows it.
    /// </summary>
    public async Task RequestReplan()
    {
        _debounce ??= this.RegisterGrainTimer(async _ =>
        {
            _debounce?.Dispose();
            _debounce = null;
            await ReplanLogged();
        }, new GrainTimerCreationOptions(options.Value.Pacing(clock.GetUtcNow(), _lastSolveEnded, _lastSolveTook), Timeout.InfiniteTimeSpan));
        if (_requestedReminderSet) return;
        // The debounce is in memory: keep the request durably too, in case this activation goes before it plans.
        _requestedReminderSet = true;
        _mayHaveRequested = true;
        try
        {
            await this.RegisterOrUpdateReminder(RequestedReminder, options.Value.ReplanBackstop, options.Value.ReplanRetryMax);
        }
        catch (Exception e)
        {
            _requestedReminderSet = false;
            logger.LogWarning(e, "The durable reminder for a requested re-plan could not be set; the re-plan is kept in memory only");
        }
    }

    /// <summary>New stock at a warehouse: a re-plan only if the plan in force is short of the item (<see cref="ReliefEscalation.StockMayHelp"/>).</summary>
    public Task StockAdded(string itemCode) => ReliefEscalation.StockMayHelp(state.State.Plan, itemCode) ? RequestReplan() : Task.CompletedTask;

    /// <summary>New reference data: a re-plan when there is something planned, since warehouses, fleets or items may have changed.</summary>
    public Task ReferenceDataChanged() => state.State.Plan is { Demands: > 0 } ? RequestReplan() : Task.CompletedTask;

    /// <summary>A shelter has room again: each tracked relief places what it could not (one-way each; most have nothing to do).</summary>
    public async Task ShelterRoom()
    {
        foreach (var incidentId in state.State.Tracked.ToList()) await GrainFactory.Grain<IReliefDemandGrain>(incidentId).PlaceAgain();
    }

    /// <summary>
    /// The durable copy of a re-plan requested by a change (<see cref="ReliefOptions.ReplanBackstop"/>): it exists from the
    /// request until a plan is stored with no other request waiting.
    /// </summary>
    private const string RequestedReminder = "replan-requested";
    private bool _requestedReminderSet;
    /// <summary>Whether a requested-re-plan reminder may exist: true on activation (an earlier one may have left it).</summary>
    private bool _mayHaveRequested = true;

    /// <summary>The durable reminder that retries a failed re-plan; it exists only while the latest re-plan failed.</summary>
    private const string RetryReminder = "replan-after-failure";

    /// <summary>
    /// The retry of a failed re-plan (also after a restart: the reminder is durable). It re-plans whatever the stored state says:
    /// when storage itself failed, the failure may not be stored. A plan made meanwhile by another trigger removed the reminder,
    /// so at most a tick already on its way re-plans once more.
    /// </summary>
    public Task ReceiveReminder(string reminderName, TickStatus status) => reminderName switch
    {
        RetryReminder => ReplanLogged(),
        TrucksBackReminder => TrucksBack(),
        // A requested re-plan this activation does not have in hand (it was lost with an earlier activation); when the
        // debounce holds one, that one plans it.
        RequestedReminder when _debounce is null => ReplanLogged(),
        _ => Task.CompletedTask,
    };

    /// <summary>
    /// Whether this activation has yet to look for a retry reminder left by a failure: true until a plan is stored, and again
    /// after each failure. An activation starting after a failure whose write failed finds the reminder that way.
    /// </summary>
    private bool _mayHaveRetry = true;

    /// <summary>A re-plan from a timer or the reminder: a failure was logged and has its retry set, so there is nothing to rethrow.</summary>
    private async Task ReplanLogged()
    {
        try { await Replan(); }
        catch (ReliefPlanningFailedException) { }
    }

    /// <summary>
    /// Records a failed re-plan and sets the durable reminder that retries it — after <see cref="ReliefOptions.ReplanRetry"/>,
    /// doubled for each failure in a row, at most <see cref="ReliefOptions.ReplanRetryMax"/> — and gives the exception for the
    /// caller. The reminder comes first, and neither it nor the write may hide the failure: a commit can fail because storage
    /// does, and then the reminder still retries.
    /// </summary>
    private async Task<ReliefPlanningFailedException> Failed(Exception error, long planId, string stage)
    {
        var attempts = (state.State.Failure?.Attempts ?? 0) + 1;
        var delay = options.Value.RetryDelay(attempts);
        var now = clock.GetUtcNow();
        var failure = new ReliefSolveFailure
        {
            At = now, Stage = stage, Error = $"{error.GetType().Name}: {error.Message}", Attempts = attempts, RetryAt = now + delay,
        };
        logger.LogError(error, "Relief plan {PlanId}: the {Stage} failed (attempt {Attempts} in a row); plan {PlanInForce} is the last stored, retry in {Delay}",
            planId, stage, attempts, state.State.Plan?.PlanId, delay);
        try
        {
            // Then every ReplanRetryMax while it keeps failing (each failure sets the next due time again).
            _mayHaveRetry = true;
            await this.RegisterOrUpdateReminder(RetryReminder, delay, options.Value.ReplanRetryMax);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Relief plan {PlanId}: the retry reminder could not be set; the next change re-plans", planId);
        }
        state.State.Failure = failure;
        try
        {
            await Write();
            PublishSummary();
        }
        catch (Exception e)
        {
            logger.LogError(e, "Relief plan {PlanId}: the failure could not be stored; this activation restarts from the stored state", planId);
        }
        return new ReliefPlanningFailedException(failure, state.State.Plan?.PlanId);
    }

    /// <summary>
    /// Plans again when the earliest returning trucks are back, if the plan then still has shortfalls (the trucks may close some:
    /// a shortfall's reason names the first limit found, and trucks can be a limit behind a <c>StockShort</c> one).
    /// A durable reminder (<see cref="TrucksBackReminder"/>), so it also comes when this activation has gone meanwhile (its node
    /// stopped or left the cluster). A new activation does not know the due time of a reminder left by the one before, so its
    /// first call sets the reminder to its own time, which may be later: the look then comes late, but it comes.
    /// </summary>
    public async Task TrucksReturning(DateTimeOffset backAt)
    {
        var now = clock.GetUtcNow();
        if (_trucksBackAt is { } scheduled && scheduled <= backAt && scheduled > now) return; // an earlier one will look
        var due = backAt - now;
        try
        {
            await this.RegisterOrUpdateReminder(TrucksBackReminder, due > TimeSpan.Zero ? due : TimeSpan.Zero, options.Value.ReplanRetryMax);
            _trucksBackAt = backAt;
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "The reminder for trucks back at {BackAt} could not be set; the next change re-plans", backAt);
        }
    }

    private const string TrucksBackReminder = "trucks-back";

    private async Task TrucksBack()
    {
        _trucksBackAt = null;
        if (await this.GetReminder(TrucksBackReminder) is { } reminder) await this.UnregisterReminder(reminder);
        if (state.State.Plan is { Shortfalls.Count: > 0 }) await RequestReplan();
    }

    public Task<ReliefPlan?> GetPlan() =>
        Task.FromResult(_stored is { Plan: { } plan, Failure: { } failure } ? plan with { LastSolveFailure = failure } : _stored.Plan);

    public Task<ReliefSolveFailure?> GetSolveFailure() => Task.FromResult(_stored.Failure);

    public Task<ReliefPlanSummary?> GetSummary() =>
        Task.FromResult(_stored is { Plan: null, Failure: null } ? null : ReliefPlanSummaries.Of(_stored.Plan, _stored.Failure));

    /// <summary>Pushes the stored plan in brief to the district scope (after it is stored: consoles never see an unstored plan).</summary>
    private void PublishSummary() => Publish.To(GrainFactory, [Scopes.District],
        [new EntityChange { Kind = DeltaKinds.ReliefPlan, Id = this.GetPrimaryKeyString(), Data = ReliefPlanSummaries.Of(state.State.Plan, state.State.Failure) }]);

    public Task<IReadOnlyList<string>> GetTracked() => Known(null);

    public Task<IReadOnlyList<string>> GetTrackedSince(DateTimeOffset since) => Known(since);

    /// <summary>The incidents tracked here and those archived, due at or after <paramref name="since"/> when given.</summary>
    private async Task<IReadOnlyList<string>> Known(DateTimeOffset? since)
    {
        var ids = new HashSet<string>(since is { } at ? ReliefCandidates.DueSince(state.State.Tracked, state.State.Deadlines, at) : state.State.Tracked,
            StringComparer.Ordinal);
        foreach (var page in ReliefArchive.PagesFrom([.. state.State.ArchivePages], since))
            foreach (var (id, due) in await GrainFactory.Grain<IReliefArchiveGrain>(page).Get())
                if (since is not { } from || due >= from) ids.Add(id);
        return [.. ids.Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// Moves the incidents whose deadline passed <see cref="ReliefOptions.ArchiveAfter"/> ago to the archive pages, first there
    /// and then out of this state (written by the caller). A page that cannot be written keeps its incidents here until the next plan.
    /// </summary>
    private async Task Archive(DateTimeOffset now)
    {
        foreach (var (page, incidents) in ReliefArchive.Due(state.State.Tracked, state.State.Deadlines, now, options.Value.ArchiveAfter))
        {
            try
            {
                await GrainFactory.Grain<IReliefArchiveGrain>(page).Add(incidents);
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Relief archive page {Page} could not be written; its {Count} incidents stay tracked until the next plan", page, incidents.Count);
                continue;
            }
            state.State.ArchivePages.Add(page);
            foreach (var id in incidents.Keys)
            {
                state.State.Tracked.Remove(id);
                state.State.Deadlines.Remove(id);
                state.State.LateUntil.Remove(id);
            }
        }
    }

    /// <summary>
    /// Requests queued behind a re-plan are answered by the plan that ran after they were asked: until the thirty-first session
    /// each ran a plan of its own, one after the other, and in a surge the tenth console to press the button waited 20 s (the
    /// relief tester's F5).
    /// </summary>
    public Task<ReliefPlan> ReplanAsOf(DateTimeOffset askedAt) =>
        state.State.Plan is { } plan && plan.ComputedAt >= askedAt ? Task.FromResult(plan) : Replan();

    public async Task<ReliefPlan> Replan()
    {
        var planId = ++state.State.PlanSeq;
        _stage = ReliefSolveFailure.Stages.Read;
        try
        {
            return await PlanAndCommit(planId, clock.GetUtcNow());
        }
        catch (Exception e) when (e is not ReliefPlanningFailedException)
        {
            throw await Failed(e, planId, _stage);
        }
    }

    /// <summary>What the re-plan under way was doing (reading its inputs, the solve, the commit): the stage a failure names.</summary>
    private string _stage = ReliefSolveFailure.Stages.Read;

    private async Task<ReliefPlan> PlanAndCommit(long planId, DateTimeOffset now)
    {
        // 1. Earlier convoys. Those still Planned are replaced by this plan: their stock counts as free for it, but they are
        //    cancelled only once it is solved, so the previous plan stays in force meanwhile (and if solving fails). The others
        //    may hold trucks.
        var earlier = new Dictionary<string, string>(state.State.Outstanding, StringComparer.Ordinal);
        foreach (var a in state.State.Plan?.Allocations ?? []) earlier.TryAdd(a.ShipmentId, a.WarehouseId); // state from before Outstanding
        var (orphaned, replaced, holding, finished) = EarlierConvoys.Sort(await Task.WhenAll(earlier.Select(async kv =>
            (kv.Key, kv.Value, await GrainFactory.Grain<IShipmentGrain>(kv.Key).Get()))), now);
        foreach (var (shipmentId, warehouseId) in orphaned)
        {
            // A commit that stopped between reserving and creating the convoy: give the stock back (a no-op if nothing was held).
            await GrainFactory.Grain<IWarehouseGrain>(warehouseId).ReleaseReservation(shipmentId, Actor.System);
            state.State.Outstanding.Remove(shipmentId);
        }
        foreach (var shipmentId in finished) state.State.Outstanding.Remove(shipmentId);
        foreach (var shipment in replaced.Concat(holding)) state.State.Outstanding[shipment.Id] = shipment.WarehouseId;
        var trucksHeld = FleetInUse.ByWarehouse(holding, now);
        var mobilisedSince = WarehouseMobilisation.Since(replaced.Concat(holding));

        // 2. What is still needed, and what the warehouses can give now.
        // Each relief counts the convoys read under way above as on the way, also one it has not been told of yet (F1, H1).
        var underWay = holding.Where(h => h.Status is ShipmentStatus.Loading or ShipmentStatus.Departed).ToLookup(h => h.IncidentId, StringComparer.Ordinal);
        var asked = await Task.WhenAll(ReliefCandidates.Ask(state.State.Tracked, state.State.Deadlines, now, options.Value.LateReliefUntil - options.Value.Deadline, state.State.LateUntil)
            .Select(async id => (Id: id, Input: await GrainFactory.Grain<IReliefDemandGrain>(id).GetPlanningInputWith([.. underWay[id]]))));
        var inputs = asked.Select(a => a.Input).OfType<ReliefPlanningInput>().ToList();
        foreach (var input in inputs)
        {
            state.State.Deadlines[input.IncidentId] = input.Deadline;
            state.State.LateUntil[input.IncidentId] = input.LateUntil;
        }
        // A demand with nothing to plan whose deadline is not known yet (never planned): learn it, so that it is not read at
        // every plan while its deadline is ahead, and is archived once it is long past.
        foreach (var (id, _) in asked.Where(a => a.Input is null && !state.State.Deadlines.ContainsKey(a.Id)))
            if (await GrainFactory.Grain<IReliefDemandGrain>(id).Get() is { } relief) state.State.Deadlines[id] = relief.Deadline;
        var catalogue = GrainFactory.Grain<IReferenceDataGrain>(ReferenceData.GrainKey);
        var items = (await catalogue.GetItems()).ToDictionary(i => i.Code, ReliefItemSpec.From, StringComparer.Ordinal);
        var all = (await Task.WhenAll((await catalogue.GetWarehouseIds()).Select(id => GrainFactory.Grain<IWarehouseGrain>(id).Get())))
            .OfType<Warehouse>().ToList();
        // Agreement reserves (代储) join plans only once activated; until then escalation proposes them.
        var selection = ReliefWarehouseSelection.Select(all);
        var warehouses = WarehouseMobilisation.Remaining(
            FleetInUse.Subtract(ReliefWarehouseSelection.WithReleased(selection.Planned, replaced), trucksHeld), mobilisedSince, now);
        var demands = inputs.Select(i => new ReliefDemandInput(i.IncidentId, i.IncidentId, i.Location, i.Type, i.Priority, i.People,
            i.Kit.ToDictionary(k => k.ItemCode, k => k.Quantity, StringComparer.Ordinal), i.Deadline,
            i.AvoidWarehouses is { Count: > 0 } avoid ? avoid.ToHashSet(StringComparer.Ordinal) : null)).ToList();

        // 3. Solve off the grain's turn (the previous plan is still in force, and stays so if the solve fails).
        _stage = ReliefSolveFailure.Stages.Solve;
        // The convoys this plan replaces are the plan in force: the new plan never covers fewer people than what of them still holds.
        var inForce = replaced.SelectMany(s => s.Lines.Select(l => new ReliefLoad(s.IncidentId, s.WarehouseId, l.ItemCode, l.Quantity))).ToList();
        var solving = System.Diagnostics.Stopwatch.StartNew();
        // The plan for the deadline first; then, from what it leaves, best-effort relief for those it cannot serve (LateRelief).
        var lateUntil = inputs.ToDictionary(i => i.IncidentId, i => i.LateUntil, StringComparer.Ordinal);
        var result = demands.Count == 0 ? ReliefPlanResult.Empty
            : await PlannerThread.Run(() => LateRelief.Plan(planner, demands, lateUntil, warehouses, items, now, inForce), options.Value.PlannerNice);
        (_lastSolveEnded, _lastSolveTook) = (clock.GetUtcNow(), solving.Elapsed);
        // Never commit convoys the warehouses cannot carry out: the plan in force stays, and the failure is shown.
        if (ReliefPlanCheck.Breaches(result.Allocations, warehouses, items) is { Count: > 0 } breaches)
            throw new InvalidOperationException($"the plan cannot be carried out ({breaches.Count} problem(s)): {string.Join("; ", breaches.Take(5))}");
        _stage = ReliefSolveFailure.Stages.Commit;

        // 4. Convoys the new plan leaves as they are stay, with their ids, reservations and times (UnchangedConvoys); those it
        //    changes on the same route are amended in place, keeping their ids. The other replaced convoys are cancelled, which
        //    gives their stock back. One that started loading meanwhile keeps its stock and trucks, which this plan counted as
        //    free: plan again once this one is committed.
        var unchanged = UnchangedConvoys.Find(replaced, result.Allocations, now);
        var amendable = UnchangedConvoys.Amendable(replaced, result.Allocations, unchanged);
        var amendIds = amendable.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        var raced = false;
        foreach (var old in replaced)
        {
            var key = (old.WarehouseId, old.IncidentId);
            if (unchanged.TryGetValue(key, out var keep) && keep.Id == old.Id)
            {
                // Kept as it is now (it may have started loading). One a dispatcher cancelled meanwhile has given its stock back:
                // the plan's convoy is then created anew below.
                if (await GrainFactory.Grain<IShipmentGrain>(old.Id).Get() is { Status: not ShipmentStatus.Cancelled } current) unchanged[key] = current;
                else
                {
                    unchanged.Remove(key);
                    state.State.Outstanding.Remove(old.Id);
                }
                continue;
            }
            if (amendIds.Contains(old.Id)) continue;
            if (await GrainFactory.Grain<IShipmentGrain>(old.Id).Withdraw() is { Status: ShipmentStatus.Cancelled }) state.State.Outstanding.Remove(old.Id);
            else raced = true; // it started loading (or more) meanwhile and stays outstanding
        }

        var groups = result.Allocations.GroupBy(a => (a.WarehouseId, a.DemandId)).ToList();
        var groupOf = groups.ToDictionary(g => g.Key);
        // The convoy of each amended route as it is afterwards: amended, or as it was when the warehouse's stock no longer covers
        // the change (the next plan sees that stock).
        var amended = new Dictionary<(string WarehouseId, string DemandId), Shipment>();
        var failed = new List<string>();
        // An amended or created convoy, and a relief told of the plan, name this plan: its number is stored first, so that a
        // commit cut short (a node's death) never leaves them naming a plan number the next plan takes again (the relief
        // tester's F3, thirty-first session; the second verifier's L1).
        await IssuePlanNumber(planId);
        foreach (var old in amendable)
        {
            var group = groupOf[(old.WarehouseId, old.IncidentId)];
            var lines = group.GroupBy(a => a.ItemCode).Select(g => new ItemQuantity { ItemCode = g.Key, Quantity = g.Sum(a => a.Quantity) }).ToList();
            var first = group.First();
            var after = await GrainFactory.Grain<IShipmentGrain>(old.Id).Amend(new ShipmentAmendment
            {
                Lines = lines, Trucks = first.Trucks, Departure = first.Departure, Eta = group.Max(a => a.Eta),
                DistanceKm = Math.Round(first.DistanceKm, 2), PlanId = planId,
            });
            switch (after)
            {
                case { Status: ShipmentStatus.Planned }:
                    amended[group.Key] = after;
                    if (after.PlanId != planId) failed.Add(old.Id);
                    break;
                case null or { Status: ShipmentStatus.Cancelled }:
                    state.State.Outstanding.Remove(old.Id); // a dispatcher cancelled it meanwhile: the plan's convoy is issued anew below
                    break;
                default:
                    raced = true; // it started loading (or more) meanwhile and stays outstanding; the plan's convoy is issued anew below
                    break;
            }
        }

        // 5. Commit: one reservation and one Planned shipment per (warehouse, incident) the plan adds, ids derived from the plan.
        var allocations = new List<ReliefAllocationView>();
        var deadlineOf = inputs.ToDictionary(i => i.IncidentId, i => i.Deadline, StringComparer.Ordinal);
        bool? Late(string incidentId, DateTimeOffset eta) => deadlineOf.TryGetValue(incidentId, out var due) && eta > due ? true : null;
        var shipmentsByIncident = new Dictionary<string, List<Shipment>>(StringComparer.Ordinal);
        void Listed(Shipment shipment)
        {
            if (!shipmentsByIncident.TryGetValue(shipment.IncidentId, out var list)) shipmentsByIncident[shipment.IncidentId] = list = [];
            list.Add(shipment);
        }
        // The new convoys' ids and this plan's number are stored before anything is reserved (see Outstanding).
        var created = groups.Where(g => !unchanged.ContainsKey(g.Key) && !amended.ContainsKey(g.Key)).ToList();
        string ShipmentId((string WarehouseId, string DemandId) key) => $"SHP-{planId}-{key.DemandId}-{key.WarehouseId}";
        foreach (var group in created) state.State.Outstanding[ShipmentId(group.Key)] = group.Key.WarehouseId;
        if (created.Count > 0) await Write();
        foreach (var group in groups)
        {
            // A convoy kept or amended is listed as it is: its lines, times and id.
            if (unchanged.TryGetValue(group.Key, out var convoy) || amended.TryGetValue(group.Key, out convoy))
            {
                Listed(convoy);
                allocations.AddRange(convoy.Lines.Select(l => new ReliefAllocationView
                {
                    WarehouseId = convoy.WarehouseId, IncidentId = convoy.IncidentId, ItemCode = l.ItemCode, Quantity = l.Quantity,
                    Departure = convoy.Departure, Eta = convoy.Eta, DistanceKm = convoy.DistanceKm, ShipmentId = convoy.Id,
                    Late = Late(convoy.IncidentId, convoy.Eta),
                }));
                continue;
            }
            var shipmentId = ShipmentId(group.Key);
            var lines = group.GroupBy(a => a.ItemCode).Select(g => new ReservationLine { ItemCode = g.Key, Quantity = g.Sum(a => a.Quantity) }).ToList();
            var held = await GrainFactory.Grain<IWarehouseGrain>(group.Key.WarehouseId).Reserve(shipmentId, lines, Actor.System);
            if (!held)
            {
                failed.Add(shipmentId); // stock moved since it was read: the next plan will see it
                state.State.Outstanding.Remove(shipmentId);
                continue;
            }
            var first = group.First();
            var shipment = new Shipment
            {
                Id = shipmentId, IncidentId = group.Key.DemandId, WarehouseId = group.Key.WarehouseId,
                Lines = [.. lines.Select(l => new ItemQuantity { ItemCode = l.ItemCode, Quantity = l.Quantity })],
                Status = ShipmentStatus.Planned, Trucks = first.Trucks, Departure = first.Departure, Eta = group.Max(a => a.Eta),
                DistanceKm = Math.Round(first.DistanceKm, 2), ReservationId = shipmentId, PlanId = planId, UpdatedAt = now,
                MobilisedSince = mobilisedSince.TryGetValue(group.Key.WarehouseId, out var since) ? since : now,
            };
            await GrainFactory.Grain<IShipmentGrain>(shipmentId).Create(shipment);
            Listed(shipment);
            allocations.AddRange(group.Select(a => new ReliefAllocationView
            {
                WarehouseId = a.WarehouseId, IncidentId = a.DemandId, ItemCode = a.ItemCode, Quantity = a.Quantity,
                Departure = a.Departure, Eta = a.Eta, DistanceKm = Math.Round(a.DistanceKm, 2), ShipmentId = shipmentId,
                Late = Late(a.DemandId, a.Eta),
            }));
        }

        var shortfalls = result.Shortfalls.Select(s => new ReliefShortfall
        {
            IncidentId = s.DemandId, ItemCode = s.ItemCode, Missing = s.Missing, Reason = s.Reason.ToString(), Detail = s.Detail,
        }).ToList();
        // Each relief also gets its earlier convoys under way (Loading, Departed) as the coordinator read them: one whose relief
        // was not told of its loading yet would otherwise be dropped as a Planned convoy this plan replaced, and its load
        // planned and escalated again (the relief tester's F1, thirty-first session).
        foreach (var input in inputs)
        {
            await GrainFactory.Grain<IReliefDemandGrain>(input.IncidentId).ApplyPlan(planId,
                [.. (shipmentsByIncident.GetValueOrDefault(input.IncidentId) ?? []), .. underWay[input.IncidentId]],
                [.. shortfalls.Where(s => s.IncidentId == input.IncidentId)],
                result.CoveredByDemand.GetValueOrDefault(input.IncidentId));
        }
        // Incidents the previous plan was made for and this one is not (closed, past the deadline, or nothing more needed):
        // their shortfalls are no longer anybody's to escalate.
        var plannedNow = inputs.Select(i => i.IncidentId).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in state.State.LastPlanIncidents.Where(id => !plannedNow.Contains(id)).ToList())
            await GrainFactory.Grain<IReliefDemandGrain>(gone).ApplyPlan(planId, [], [], 0);
        state.State.LastPlanIncidents = plannedNow;

        await Archive(now); // written with the plan
        state.State.Failure = null; // written with the plan
        state.State.Plan = new ReliefPlan
        {
            PlanId = planId,
            ComputedAt = now,
            Solver = result.Status.ToString(),
            Demands = demands.Count,
            PeopleCovered = result.PeopleCovered,
            PeopleCoveredWeighted = result.PeopleCoveredWeighted,
            PeopleCoveredLate = result.LatePeopleCovered,
            PartialKitUnits = result.PartialKitUnits,
            TonKm = Math.Round(result.TonKm, 3),
            Allocations = allocations,
            Shortfalls = shortfalls,
            Escalations = ReliefEscalation.Propose(shortfalls, selection.ProposableReserves,
                (incidentId, warehouseId) => demands.Any(d => d.IncidentId == incidentId && !d.MaySendFrom(warehouseId)),
                (incidentId, reserve) => demands.FirstOrDefault(d => d.IncidentId == incidentId) is not { } demand
                    || ReliefEscalation.ArrivesInTime(planner, reserve, demand, lateUntil.GetValueOrDefault(incidentId, demand.Deadline), now)),
            TrucksInUse = [.. trucksHeld.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => new TrucksInUse { WarehouseId = t.Key, Trucks = t.Value })],
            KeptInForce = result.KeptInForce is { } kept ? kept with { WeightedPeopleForgone = Math.Round(kept.WeightedPeopleForgone, 3) } : null,
        };
        await Write();
        if (result.KeptInForce is { } steady)
            logger.LogInformation("Relief plan {PlanId} keeps the plan in force: a plan covering {Weighted} more weighted people ({People} people) would have withdrawn {Convoys} convoys",
                planId, Math.Round(steady.WeightedPeopleForgone, 1), steady.PeopleForgone, steady.Convoys);
        PublishSummary();
        // Trucks of delivered convoys come back later: look again then (the timer plans only if something is still short).
        if (FleetInUse.NextReturn(holding, now) is { } back) await TrucksReturning(back);
        if (failed.Count > 0 || raced) await RequestReplan();
        if (_mayHaveRetry)
        {
            if (await this.GetReminder(RetryReminder) is { } retry) await this.UnregisterReminder(retry);
            _mayHaveRetry = false;
        }
        if (_mayHaveRequested && _debounce is null)
        {
            // Planned, and no other request waits: the durable copy of the request is done with.
            try
            {
                if (await this.GetReminder(RequestedReminder) is { } requested) await this.UnregisterReminder(requested);
                _mayHaveRequested = _requestedReminderSet = false;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "The requested re-plan's reminder could not be removed; it will plan once more");
            }
        }
        return state.State.Plan;
    }
}
