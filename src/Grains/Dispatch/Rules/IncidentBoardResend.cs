using HuaduDispatch.Contracts;

namespace HuaduDispatch.Grains.Dispatch.Rules;

/// <summary>
/// When an incident keeps a durable reminder to put its summary on the area board again. The board update follows the state
/// write; if the node goes away in between, the board misses the change until the incident's next change or activation. For
/// most changes that comes soon, but after two kinds it may never come: the report (nobody lists an incident the board does not
/// show, so nobody reads it) and the change to a final status (Closed, Cancelled, Merged: nothing changes it again, and the board
/// would list it as open for good). Those set the reminder before the write.
/// </summary>
public static class IncidentBoardResend
{
    public const string Reminder = "board-resend";

    public static bool NeedsReminder(bool wasCreated, IncidentStatus was, IncidentStatus now) =>
        !wasCreated || (!IncidentLifecycle.IsFinal(was) && IncidentLifecycle.IsFinal(now));
}
