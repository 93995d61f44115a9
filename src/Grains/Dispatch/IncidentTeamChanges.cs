using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Dispatch.Rules;
using Microsoft.Extensions.Logging;

namespace HuaduDispatch.Grains.Dispatch;

/// <summary>
/// One team an incident is assigning or releasing: stored in the incident's state before the team is called, and cleared by
/// the write of the change itself (<see cref="IncidentState.TeamChanges"/>).
/// </summary>
[GenerateSerializer, Alias("huadu.TeamChange")]
public sealed class TeamChange
{
    [Id(0)] public required string TeamId { get; set; }
    [Id(1)] public TeamChangeKind Kind { get; set; }
    /// <summary>The release's reason (for an assignment, the reason it is undone with).</summary>
    [Id(2)] public string Reason { get; set; } = "";
}

public sealed partial class IncidentGrain
{
    private const string TeamChangesReminder = "team-changes";
    private IGrainReminder? _teamChangesReminder;
    /// <summary>
    /// Set when the change under way stored team changes (or repairs them): only its own write (<see cref="Save"/>) clears them,
    /// not the write of a task alert that runs while a repair is still to come.
    /// </summary>
    private bool _teamChangesBegun;

    /// <summary>
    /// Stores which teams this change is about to assign or release, before any of them is called, with a durable reminder
    /// (<see cref="DispatchOptions.TeamRepair"/>) that repairs them if the change is cut short and nothing else activates the
    /// incident. The change's own write (<see cref="Save"/>) clears them.
    /// </summary>
    private async Task BeginTeamChanges(TeamChangeKind kind, IReadOnlyCollection<string> teamIds, string reason)
    {
        if (teamIds.Count == 0) return;
        _teamChangesReminder ??= await Backstop(TeamChangesReminder, Options.TeamRepair);
        foreach (var id in teamIds) S.TeamChanges.Add(new TeamChange { TeamId = id, Kind = kind, Reason = reason });
        _teamChangesBegun = true;
        await state.WriteStateAsync();
    }

    /// <summary>Clears the team changes of a change that undid them itself (a dispatch refused part-way).</summary>
    private async Task EndTeamChanges()
    {
        S.TeamChanges.Clear();
        _teamChangesBegun = false;
        await state.WriteStateAsync();
    }

    /// <summary>
    /// Finishes the releases and undoes the assignments of a change cut short (<see cref="TeamChangeRepair"/>), records them in
    /// the timeline and stores the incident with no team change pending. Teams are only called (incident -> team), never the
    /// other way, and a team's <c>Release(incident)</c> changes nothing unless the team is assigned to that incident, so a repair
    /// run twice (a crash during it) does no more than once.
    /// </summary>
    private async Task RepairTeamChanges()
    {
        var changes = S.TeamChanges.ToList();
        _teamChangesBegun = true;
        foreach (var change in changes)
        {
            var team = GrainFactory.Grain<IRescueTeamGrain>(change.TeamId);
            var assignedHere = (await team.Get())?.IncidentId == Key;
            var assignment = S.Teams.FirstOrDefault(t => t.TeamId == change.TeamId && t.ReleasedAt is null);
            switch (TeamChangeRepair.For(change.Kind, assignedHere, assignment is not null))
            {
                case TeamChangeRepair.Action.UndoAssignment:
                    await team.Release(Key, change.Reason, Actor.System);
                    Record(Actor.System, "DispatchUndone", $"{change.TeamId}: {change.Reason} (interrupted before the incident stored it); team released", teamId: change.TeamId);
                    break;
                case TeamChangeRepair.Action.FinishRelease when assignment is not null:
                    await Release(assignment, $"{change.Reason} (completed after an interruption)", Actor.System);
                    break;
                case TeamChangeRepair.Action.FinishRelease:
                    await team.Release(Key, change.Reason, Actor.System);
                    break;
            }
        }
        // The close or cancellation whose releases these were is finished too: until the thirtieth session the teams were
        // released "incident Closed" and the incident stayed open (Recovery) until the dispatcher sent the close again.
        if (S.PendingFinal is { } final)
        {
            if (IncidentLifecycle.Check(S.Status, final.To) is null)
            {
                Record(new Actor { Subject = final.Actor, Role = "system" }, "Status", $"{S.Status} -> {final.To}: {final.Reason} (completed after an interruption)");
                S.Status = final.To;
            }
            S.PendingFinal = null;
        }
        if (_pending.Count > 0) await Save(Actor.System);
        else await EndTeamChanges();
        logger.LogInformation("Incident {IncidentId}: {Count} team change(s) cut short were repaired", Key, changes.Count);
    }

    /// <summary>
    /// At activation, repairs a change cut short. On failure (a team unreachable) the stored state is read back and the
    /// reminder, or the next change, tries again.
    /// </summary>
    private async Task RepairTeamChangesOnActivation()
    {
        if (S.TeamChanges.Count == 0) return;
        try
        {
            _before = Snapshot();
            await RepairTeamChanges();
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Incident {IncidentId}: {Count} team change(s) cut short not yet repaired; the reminder or the next change tries again", Key, S.TeamChanges.Count);
            _pending.Clear();
            _changedTasks.Clear();
            await state.ReadStateAsync();
        }
    }

    /// <summary>The reminder's tick: repairs what is left, then removes the reminder once nothing is.</summary>
    private async Task CheckTeamChanges()
    {
        if (S.TeamChanges.Count > 0) await Mutate(() => Task.FromResult(0)); // Mutate repairs before the (empty) change
        if (S.TeamChanges.Count > 0) return;
        _teamChangesReminder ??= await this.GetReminder(TeamChangesReminder);
        if (_teamChangesReminder is { } reminder)
        {
            _teamChangesReminder = null;
            await this.UnregisterReminder(reminder);
        }
    }

    /// <summary>
    /// A release of a team the incident does not list: carried out when the team's own record says it is assigned here (a
    /// team stuck by a dispatch cut short before the repair existed), else a 404 as before.
    /// </summary>
    private async Task<Incident> ReleaseUnlisted(string teamId, string reason, Actor actor)
    {
        var team = GrainFactory.Grain<IRescueTeamGrain>(teamId);
        if (!TeamChangeRepair.MayReleaseUnlisted(Key, (await team.Get())?.IncidentId))
            throw DomainException.NotFound($"team {teamId} is not assigned to incident {Key}");
        await team.Release(Key, reason, actor);
        Record(actor, "TeamReleased", $"{teamId} released: {reason} (assigned here by the team's record, not listed by the incident)", teamId: teamId);
        return await Save(actor);
    }
}
