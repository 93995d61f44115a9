using HuaduDispatch.Contracts;

namespace HuaduDispatch.Grains.Warehouses;

/// <summary>
/// Activation of an enterprise agreement reserve (代储): only an <see cref="WarehouseKind.AgreementReserve"/> can be activated,
/// only with a reason, and not twice (a second activation is a 409, so the recorded who/when/why is never silently replaced).
/// </summary>
public static class ReserveActivationRule
{
    public const int MaxReasonLength = 500;

    public static ReserveActivation Activate(WarehouseKind kind, ReserveActivation? current, ReserveActivationRequest request, Actor actor, DateTimeOffset now)
    {
        var reason = request.Reason?.Trim();
        if (string.IsNullOrEmpty(reason)) throw DomainException.Invalid("reason", "activating an agreement reserve needs a reason");
        if (reason.Length > MaxReasonLength) throw DomainException.Invalid("reason", $"reason is longer than {MaxReasonLength} characters");
        if (kind != WarehouseKind.AgreementReserve)
            throw DomainException.Conflict($"only an agreement reserve (代储) can be activated; this warehouse is a {kind}");
        if (current is not null)
            throw DomainException.Conflict($"the agreement reserve is already active (activated by {current.ActivatedBy} at {current.ActivatedAt:O})");
        return new ReserveActivation { ActivatedBy = actor.Subject, ActivatedAt = now, Reason = reason };
    }

    /// <summary>Checks that the reserve can be deactivated (the caller then clears the activation).</summary>
    public static void Deactivate(WarehouseKind kind, ReserveActivation? current)
    {
        if (kind != WarehouseKind.AgreementReserve)
            throw DomainException.Conflict($"only an agreement reserve (代储) has an activation; this warehouse is a {kind}");
        if (current is null) throw DomainException.Conflict("the agreement reserve is not active");
    }

    /// <summary>Whether relief plans may draw on the warehouse: every kind but an agreement reserve, which only while activated.</summary>
    public static bool Plannable(Warehouse warehouse) => warehouse.Kind != WarehouseKind.AgreementReserve || warehouse.Activation is not null;
}
