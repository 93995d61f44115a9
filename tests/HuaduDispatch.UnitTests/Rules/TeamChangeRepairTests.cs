using HuaduDispatch.Grains.Dispatch.Rules;

namespace HuaduDispatch.UnitTests.Rules;

public sealed class TeamChangeRepairTests
{
    [Theory]
    // An assignment cut short (the team stored it, the incident did not) is undone; one the incident stored needs nothing.
    [InlineData(TeamChangeKind.Assign, true, false, TeamChangeRepair.Action.UndoAssignment)]
    [InlineData(TeamChangeKind.Assign, false, false, TeamChangeRepair.Action.None)]
    [InlineData(TeamChangeKind.Assign, true, true, TeamChangeRepair.Action.None)]
    // A release cut short is finished, whether or not the team had stored it yet; one both stored needs nothing.
    [InlineData(TeamChangeKind.Release, false, true, TeamChangeRepair.Action.FinishRelease)]
    [InlineData(TeamChangeKind.Release, true, true, TeamChangeRepair.Action.FinishRelease)]
    [InlineData(TeamChangeKind.Release, true, false, TeamChangeRepair.Action.FinishRelease)]
    [InlineData(TeamChangeKind.Release, false, false, TeamChangeRepair.Action.None)]
    public void A_change_cut_short_is_repaired_by_undoing_assignments_and_finishing_releases(TeamChangeKind kind, bool teamAssignedHere, bool listed,
        TeamChangeRepair.Action expected) =>
        Assert.Equal(expected, TeamChangeRepair.For(kind, teamAssignedHere, listed));

    [Fact]
    public void A_team_the_incident_does_not_list_may_be_released_only_when_its_own_record_names_the_incident()
    {
        Assert.True(TeamChangeRepair.MayReleaseUnlisted("INC-1", "INC-1"));
        Assert.False(TeamChangeRepair.MayReleaseUnlisted("INC-1", "INC-2"));
        Assert.False(TeamChangeRepair.MayReleaseUnlisted("INC-1", null));
    }
}
