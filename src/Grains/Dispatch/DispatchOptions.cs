namespace HuaduDispatch.Grains.Dispatch;

/// <summary>Configuration section "Dispatch".</summary>
public sealed class DispatchOptions
{
    public const string Section = "Dispatch";

    /// <summary>A task not acknowledged within this time raises an Unacknowledged alert.</summary>
    public TimeSpan TaskAckTimeout { get; set; } = TimeSpan.FromMinutes(5);
    /// <summary>Due time of a task when the issuer gives none (and of the tasks a dispatch creates).</summary>
    public TimeSpan DefaultTaskDue { get; set; } = TimeSpan.FromMinutes(60);
    /// <summary>How often the durable reminder checks open tasks (Orleans reminders tick at most once a minute).</summary>
    public TimeSpan TaskWatchPeriod { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>
    /// A change of an incident's people, level or final status is also kept as a durable reminder until its relief demand has
    /// it; the reminder tells the demand again this long after the change (and then every minute, or this, whichever is longer),
    /// so the update is not lost when it fails or the node goes away first, even if nothing else changes.
    /// </summary>
    public TimeSpan ReliefResend { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>
    /// A dispatch, release or close stores the teams it is about to assign or release, with a durable reminder due this long
    /// after (then every minute, or this, whichever is longer): if the change is cut short between the teams' writes and the
    /// incident's, the reminder (or the incident's next activation or change) undoes the assignments and finishes the releases.
    /// </summary>
    public TimeSpan TeamRepair { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>Commander named on a command post set up automatically.</summary>
    public string DutyCommander { get; set; } = "District duty commander (值班指挥长)";

    /// <summary>What is wrong with these settings, one message per problem naming its key (none when they can be used).</summary>
    public IEnumerable<string> Problems() =>
    [
        .. OptionsChecks.Positive("Dispatch:TaskAckTimeout", TaskAckTimeout),
        .. OptionsChecks.Positive("Dispatch:DefaultTaskDue", DefaultTaskDue),
        .. OptionsChecks.Period("Dispatch:TaskWatchPeriod", TaskWatchPeriod),
        .. OptionsChecks.Period("Dispatch:ReliefResend", ReliefResend),
        .. OptionsChecks.Period("Dispatch:TeamRepair", TeamRepair),
        .. string.IsNullOrWhiteSpace(DutyCommander) ? ["Dispatch:DutyCommander must name the commander of automatic command posts"] : Array.Empty<string>(),
    ];
}
