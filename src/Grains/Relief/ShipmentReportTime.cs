using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Dispatch.Rules;

namespace HuaduDispatch.Grains.Relief;

/// <summary>
/// When a convoy departed or was delivered, from a status report's <c>occurredAt</c> (now when absent). A delivery used to be
/// timed when the server got the report: a crew radioing in late, or a report held up by a failover (6 to 10 s on a cluster),
/// turned a delivery in the last minutes before the deadline into a breach. The time follows the team reports' rules
/// (<see cref="ReportTimeRules"/>): at most 5 minutes ahead of the server (ahead by less counts as now) and at most 7 days
/// late; and never before what came first: a delivery not before the convoy departed, a departure not before its warehouse
/// was ordered (up to 5 minutes before counts as that time, a device clock behind the server's).
/// </summary>
public static class ShipmentReportTime
{
    public static DateTimeOffset At(DateTimeOffset? occurredAt, ShipmentStatus to, Shipment current, DateTimeOffset now)
    {
        if (occurredAt is not { } given) return now;
        if (to is not (ShipmentStatus.Departed or ShipmentStatus.Delivered))
            throw DomainException.Invalid("occurredAt", "occurredAt goes with Departed or Delivered only");
        ReportTimeRules.CheckTeamReport("occurredAt", given, now);
        var at = (given > now ? now : given).ToUniversalTime(); // stored in UTC, as the server's own times are
        var (earliest, what) = to == ShipmentStatus.Delivered ? (current.DepartedAt, "departed") : (current.MobilisedSince, "was ordered");
        if (earliest is not { } first) return at;
        if (at < first - ReportTimeRules.ClockTolerance)
            throw DomainException.Invalid("occurredAt", $"occurredAt {at:O} is before the convoy {what} ({first:O}): check the clock");
        return at < first ? first : at;
    }

    /// <summary>
    /// Why a report of the status the convoy already has, with <paramref name="occurredAt"/> (read as <paramref name="at"/>),
    /// is refused (a 409: the time is recorded once, as a delivery's quantities are), or null when it is a retry: no time
    /// given, the same time, or a time that was ahead of the server when recorded and so stored as the server's time then.
    /// </summary>
    public static string? Recorded(DateTimeOffset? occurredAt, DateTimeOffset at, ShipmentStatus to, Shipment current)
    {
        if (current.Status != to || occurredAt is not { } given) return null;
        if ((to == ShipmentStatus.Delivered ? current.DeliveredAt : current.DepartedAt) is not { } recorded || recorded == at) return null;
        if (given > current.UpdatedAt && given - recorded <= ReportTimeRules.ClockTolerance) return null;
        return $"the shipment was {to} at {recorded:O}; its time is recorded once, and a later correction is not taken";
    }
}
