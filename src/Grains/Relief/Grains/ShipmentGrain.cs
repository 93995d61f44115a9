using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Realtime;
using Microsoft.Extensions.Logging;

namespace HuaduDispatch.Grains.Relief.Grains;

[GenerateSerializer, Alias("huadu.ShipmentState")]
public sealed class ShipmentState
{
    [Id(0)] public Shipment? Shipment { get; set; }
    /// <summary>
    /// An amendment under way: stored before the warehouse reservation is changed, cleared once the shipment says what the
    /// reservation holds. Found set after a crash, it is settled before anything else (<see cref="ShipmentGrain"/>).
    /// </summary>
    [Id(1)] public Shipment? Amending { get; set; }
    /// <summary>
    /// The incident's relief (and the consoles) are still to be told of the shipment as stored: set in the same write as the
    /// change, cleared once they were told. Found set, it is told again: at activation, by the <c>relief-notice</c> reminder
    /// registered when telling failed, and by a newer change, whose notice takes its place.
    /// </summary>
    [Id(2)] public OwedNotice? Owed { get; set; }
}

/// <summary>How the shipment's relief is to be told of it: with a re-plan asked, or as a convoy withdrawn by a plan.</summary>
[GenerateSerializer, Alias("huadu.OwedNotice")]
public sealed class OwedNotice
{
    [Id(0)] public bool Replan { get; set; }
    [Id(1)] public bool Withdrawn { get; set; }
}

/// <summary>
/// One convoy: Planned -> Loading -> Departed -> Delivered, or Cancelled before it departs. Departing takes the reserved stock out
/// of the warehouse; cancelling gives it back; delivering tells the demand what arrived.
/// </summary>
public sealed class ShipmentGrain(
    [PersistentState("shipment", StorageNames.Dispatch)] IPersistentState<ShipmentState> state,
    TimeProvider clock,
    ILogger<ShipmentGrain> logger) : Grain, IShipmentGrain, IRemindable
{
    private const string NoticeReminder = "relief-notice";

    /// <summary>
    /// An amendment a crash or a failed write left under way is finished before anyone reads the shipment. If the warehouse
    /// cannot be reached now, reads show the convoy as stored, and the next command (a status change, a withdrawal or an
    /// amendment) finishes it first, or fails.
    /// </summary>
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Settle();
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Shipment {ShipmentId}: the amendment under way could not be finished on activation; the next command finishes it",
                this.GetPrimaryKeyString());
        }
        // A notice owed (its first telling failed, or the node died before it): told just after activation, not in it, so that
        // a read (the coordinator's, a console's snapshot) does not wait on the relief.
        if (state.State.Owed is not null)
        {
            IGrainTimer? once = null;
            once = this.RegisterGrainTimer(async _ =>
            {
                once?.Dispose();
                try
                {
                    await TellOwed();
                }
                catch (Exception e)
                {
                    logger.LogWarning(e, "Shipment {ShipmentId}: telling the relief of the shipment failed again; the relief-notice reminder tries again",
                        this.GetPrimaryKeyString());
                }
            }, new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan));
        }
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != NoticeReminder) return;
        await TellOwed(fromReminder: true);
        if (state.State.Owed is null && await this.GetReminder(NoticeReminder) is { } reminder) await this.UnregisterReminder(reminder);
    }

    public async Task Create(Shipment shipment)
    {
        if (state.State.Shipment is not null) return; // a retried plan commit
        await Store(shipment);
        PublishChange(shipment);
    }

    public Task<Shipment?> Get() => Task.FromResult(state.State.Shipment);

    public static string? Check(ShipmentStatus from, ShipmentStatus to) => (from, to) switch
    {
        _ when from == to => null,
        (ShipmentStatus.Planned, ShipmentStatus.Loading) => null,
        (ShipmentStatus.Loading, ShipmentStatus.Departed) => null,
        (ShipmentStatus.Planned, ShipmentStatus.Departed) => null,
        (ShipmentStatus.Departed, ShipmentStatus.Delivered) => null,
        (ShipmentStatus.Planned or ShipmentStatus.Loading, ShipmentStatus.Cancelled) => null,
        (ShipmentStatus.Delivered or ShipmentStatus.Cancelled, _) => $"the shipment is {from}; nothing follows {from}",
        _ => $"{from} cannot go to {to}",
    };

    public async Task<Shipment?> Withdraw()
    {
        await Settle();
        return state.State.Shipment is { Status: ShipmentStatus.Planned }
            ? await Move(new ShipmentStatusRequest { Status = ShipmentStatus.Cancelled }, Actor.System, withdrawn: true)
            : state.State.Shipment;
    }

    public async Task<Shipment> UpdateStatus(ShipmentStatusRequest request, Actor actor)
    {
        await Settle();
        return await Move(request, actor, withdrawn: false);
    }

    /// <summary>
    /// Amends a Planned convoy in place: the intent is stored first, then the warehouse reservation is changed to the new lines,
    /// then the shipment. A crash in between leaves the intent, which <see cref="Settle"/> finishes, so the shipment never lists
    /// other lines than its reservation holds when it departs (departing ships what the reservation holds).
    /// </summary>
    public async Task<Shipment?> Amend(ShipmentAmendment amendment)
    {
        ArgumentNullException.ThrowIfNull(amendment);
        await Settle();
        if (state.State.Shipment is not { Status: ShipmentStatus.Planned } current) return state.State.Shipment;
        var target = current with
        {
            Lines = amendment.Lines.ToList(), Trucks = amendment.Trucks, Departure = amendment.Departure, Eta = amendment.Eta,
            DistanceKm = amendment.DistanceKm, PlanId = amendment.PlanId, UpdatedAt = clock.GetUtcNow(),
        };
        if (SameLines(current.Lines, target.Lines) && current.Trucks == target.Trucks && current.Departure == target.Departure
            && current.Eta == target.Eta) return current; // a retry, or nothing to change
        state.State.Amending = target;
        await state.WriteOrRestartAsync(this);
        await Settle();
        return state.State.Shipment;
    }

    /// <summary>
    /// Finishes an amendment left under way: the reservation is made to hold the amended lines (idempotent, so also when the
    /// crash came after the warehouse changed it), and the shipment takes them; when the stock no longer covers them, the
    /// reservation still holds the shipment's lines, which stay.
    /// </summary>
    private async Task Settle()
    {
        if (state.State.Amending is not { } target || state.State.Shipment is not { } current) return;
        var held = current.Status == ShipmentStatus.Planned && await GrainFactory.Grain<IWarehouseGrain>(current.WarehouseId)
            .AmendReservation(current.ReservationId, [.. target.Lines.Select(l => new ReservationLine { ItemCode = l.ItemCode, Quantity = l.Quantity })], Actor.System);
        if (held)
        {
            state.State.Shipment = target;
            state.State.Owed = new OwedNotice();
        }
        state.State.Amending = null;
        await state.WriteOrRestartAsync(this);
        await TellOwed();
    }

    private static bool SameLines(IReadOnlyList<ItemQuantity> a, IReadOnlyList<ItemQuantity> b) =>
        a.Count == b.Count && a.All(l => b.Count(m => m.ItemCode == l.ItemCode && m.Quantity == l.Quantity) == 1);

    private async Task<Shipment> Move(ShipmentStatusRequest request, Actor actor, bool withdrawn)
    {
        var current = state.State.Shipment ?? throw DomainException.NotFound($"no shipment has the id '{this.GetPrimaryKeyString()}'");
        if (request.Status is not { } to) throw DomainException.Invalid("status", "status is required");
        if (request.Received is { } lines && lines.Any(r => r is null || string.IsNullOrWhiteSpace(r.ItemCode)))
            throw DomainException.Invalid("received", "every received line needs an itemCode and a quantity");
        if (Check(current.Status, to) is { } why) throw DomainException.Conflict(why);
        if (request.Received is not null && to != ShipmentStatus.Delivered) throw DomainException.Invalid("received", "received goes with Delivered only");
        if (request.AvoidRoute is not null && to != ShipmentStatus.Cancelled) throw DomainException.Invalid("avoidRoute", "avoidRoute goes with Cancelled only");
        var reason = AvoidedRoutes.Reason(request.Reason);
        if (reason is not null && to != ShipmentStatus.Cancelled) throw DomainException.Invalid("reason", "reason goes with Cancelled only");
        var avoid = request.AvoidRoute == true && actor != Actor.System;
        // When it departed or was delivered: the report's occurredAt (a late report), or now.
        var at = ShipmentReportTime.At(request.OccurredAt, to, current, clock.GetUtcNow());
        if (ShipmentReportTime.Recorded(request.OccurredAt, at, to, current) is { } recordedOnce) throw DomainException.Conflict(recordedOnce);
        // What arrived, line by line: the lines received names came short, the others arrived as planned.
        var arrived = request.Received is { } received ? ShipmentReceipt.Arrived(current.Lines, received) : null;
        if (current.Status == to && to == ShipmentStatus.Delivered && !SameLines(arrived ?? current.Lines, current.Received ?? current.Lines))
            throw DomainException.Conflict($"the shipment was delivered with {ShipmentReceipt.Describe(current.Received ?? current.Lines)}; " +
                "a delivery is recorded once, and a later correction is not taken");
        // The route first: once the convoy is cancelled, the re-plan that follows must already avoid it. The call is idempotent,
        // so a retry (the same cancellation again, or one after a failure further on) is harmless.
        if (to == ShipmentStatus.Cancelled && avoid)
            await GrainFactory.Grain<IReliefDemandGrain>(current.IncidentId).AvoidWarehouse(current.WarehouseId, reason, current.Id, actor);
        if (current.Status == to && to == ShipmentStatus.Cancelled && avoid && current.RouteAvoided != true)
        {
            // Cancelled before (or withdrawn by a plan), and now the route is said to be the trouble: marked from here on.
            var marked = current with { RouteAvoided = true, CancelReason = current.CancelReason ?? reason, UpdatedAt = clock.GetUtcNow() };
            await Store(marked);
            PublishChange(marked);
            return marked;
        }
        if (current.Status == to && to == ShipmentStatus.Cancelled && reason is not null && reason != current.CancelReason)
        {
            // A cancellation is recorded once, as a delivery is: another reason is a 409 saying the one recorded. One withdrawn by a
            // plan has none, and takes the person's.
            if (current.CancelReason is { } recorded)
                throw DomainException.Conflict($"the shipment was cancelled with the reason '{recorded}'; a cancellation is recorded once, and a later reason is not taken");
            var explained = current with { CancelReason = reason, UpdatedAt = clock.GetUtcNow() };
            await Store(explained);
            PublishChange(explained);
            return explained;
        }
        if (current.Status == to)
        {
            // A retry: the status was stored with its notice, which the relief is told of (again, if it did not take it) by itself.
            return current;
        }

        var warehouse = GrainFactory.Grain<IWarehouseGrain>(current.WarehouseId);
        if (to == ShipmentStatus.Departed) await warehouse.ShipReservation(current.ReservationId, actor);
        if (to == ShipmentStatus.Cancelled && !await warehouse.ReleaseReservation(current.ReservationId, actor))
        {
            // The warehouse has shipped this convoy's stock: a departure whose own write a crash cut short. The convoy has left,
            // so it is recorded as Departed; a withdrawal leaves it at that, and a person is told why it cannot be cancelled.
            var left = clock.GetUtcNow();
            var departed = current with
            {
                Status = ShipmentStatus.Departed, UpdatedAt = left, DepartedAt = left, Departure = left, Eta = left + FleetInUse.Drive(current),
            };
            await Store(departed, new OwedNotice());
            await TellOwed();
            if (withdrawn) return departed;
            throw DomainException.Conflict("the convoy has departed (its warehouse shipped its stock); a convoy on the road cannot be cancelled");
        }

        var now = clock.GetUtcNow();
        var updated = current with
        {
            Status = to,
            UpdatedAt = now,
            // On the road: it arrives the planned drive after it actually left, earlier or later than planned.
            DepartedAt = to == ShipmentStatus.Departed ? at : current.DepartedAt,
            Departure = to == ShipmentStatus.Departed ? at : current.Departure,
            Eta = to == ShipmentStatus.Departed ? at + FleetInUse.Drive(current) : current.Eta,
            DeliveredAt = to == ShipmentStatus.Delivered ? at : current.DeliveredAt,
            Received = to == ShipmentStatus.Delivered ? arrived ?? current.Lines : current.Received,
            CancelReason = to == ShipmentStatus.Cancelled ? reason : current.CancelReason,
            RouteAvoided = to == ShipmentStatus.Cancelled && avoid ? true : current.RouteAvoided,
        };
        var shortDelivery = to == ShipmentStatus.Delivered && updated.Received!.Sum(r => r.Quantity) < updated.Lines.Sum(l => l.Quantity);
        var cancelledByPerson = to == ShipmentStatus.Cancelled && actor != Actor.System;
        // The notice owed is stored with the status: if telling the relief fails now (its row slow or locked, the database
        // gone, its node dying), it is told again until it goes through. Until the thirty-first session a convoy could be
        // stored Loading or Delivered while its relief never heard of it: the next plan sent its load again and asked the city
        // for it, and a delivery was never counted (the relief tester's F1, on a cluster).
        await Store(updated, new OwedNotice { Replan = shortDelivery || cancelledByPerson, Withdrawn = withdrawn });
        await TellOwed();
        return updated;
    }

    /// <summary>How long a command waits for the relief to take a notice before it leaves it to the relief-notice reminder.</summary>
    internal static readonly TimeSpan TellWithin = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Pushes the shipment as stored to the consoles and tells the incident's relief, if a notice is owed, then clears it. The
    /// change is stored already (with the notice owed): when the relief does not take the notice within <see cref="TellWithin"/>
    /// (its record slow or locked, the database gone, its node dying), the durable relief-notice reminder tells it later, and
    /// the caller is answered as for a stored change. Only when that reminder cannot be registered either does the caller get
    /// the failure (the notice still stands: activation and the coordinator's next plan take it up). Until the thirty-first
    /// session a failed notice was never repeated; then, for a while, each attempt held the convoy for the call's 30 s timeout
    /// and the depot's next status was a 503 (the second verifier's M1).
    /// </summary>
    /// <param name="fromReminder">A tick of the relief-notice reminder: the consoles had the shipment when it was stored, and
    /// the reminder, still registered, ticks again if the relief does not take the notice now.</param>
    private async Task TellOwed(bool fromReminder = false)
    {
        if (state.State.Owed is not { } owed || state.State.Shipment is not { } shipment) return;
        if (!fromReminder) PublishChange(shipment);
        try
        {
            await Told(shipment, owed.Replan, owed.Withdrawn).WaitAsync(TellWithin);
        }
        catch (Exception failure)
        {
            logger.LogInformation("Shipment {ShipmentId}: its relief did not take the notice ({Error}); the relief-notice reminder tells it again",
                this.GetPrimaryKeyString(), failure.Message);
            if (fromReminder) return;
            try
            {
                await this.RegisterOrUpdateReminder(NoticeReminder, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1));
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Shipment {ShipmentId}: the relief-notice reminder could not be registered; activation or the next plan tells the relief",
                    this.GetPrimaryKeyString());
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
            }
            return;
        }
        state.State.Owed = null;
        await state.WriteOrRestartAsync(this);
    }

    /// <summary>
    /// Stores the shipment. When the write fails the activation restarts from the stored state: a retry must not find the
    /// status it is asking for already there (it would take itself for a retry of a stored change and never store
    /// it), nor a retried plan commit find the convoy created.
    /// </summary>
    private Task Store(Shipment shipment, OwedNotice? owed = null)
    {
        state.State.Shipment = shipment;
        // A newer notice takes the place of one still owed (the relief is told the convoy as it is now), keeping its asks.
        if (owed is not null)
            state.State.Owed = new OwedNotice
            {
                Replan = owed.Replan || state.State.Owed?.Replan == true, Withdrawn = owed.Withdrawn || state.State.Owed?.Withdrawn == true,
            };
        return state.WriteOrRestartAsync(this);
    }

    /// <summary>
    /// Tells the incident's relief (which counts a delivery once, and drops a withdrawn convoy from its list) and, for a delivery,
    /// the coordinator when the trucks are back.
    /// </summary>
    private async Task Told(Shipment shipment, bool replan, bool withdrawn)
    {
        var demand = GrainFactory.Grain<IReliefDemandGrain>(shipment.IncidentId);
        if (withdrawn) await demand.ShipmentWithdrawn(shipment.Id);
        else await demand.ShipmentChanged(shipment, replan);
        if (shipment.Status == ShipmentStatus.Delivered)
            await GrainFactory.Grain<IReliefCoordinatorGrain>(ReliefCoordinator.GrainKey).TrucksReturning(FleetInUse.BackAt(shipment));
    }

    private void PublishChange(Shipment s) =>
        Publish.To(GrainFactory, [Scopes.District, Scopes.Incident(s.IncidentId)], [new EntityChange { Kind = DeltaKinds.Shipment, Id = s.Id, Data = s }]);
}
