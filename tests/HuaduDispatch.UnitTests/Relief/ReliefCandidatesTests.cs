using HuaduDispatch.Grains.Relief;

namespace HuaduDispatch.UnitTests.Relief;

public sealed class ReliefCandidatesTests
{
    [Fact]
    public void Demands_past_their_deadline_are_not_asked_again_and_those_never_planned_still_are()
    {
        var now = new DateTimeOffset(2026, 7, 15, 14, 0, 0, TimeSpan.FromHours(8));
        var deadlines = new Dictionary<string, DateTimeOffset> { ["INC-OLD"] = now.AddHours(-20), ["INC-DUE"] = now, ["INC-LIVE"] = now.AddMinutes(90) };

        Assert.Equal(["INC-LIVE", "INC-NEW"], ReliefCandidates.Ask(["INC-OLD", "INC-DUE", "INC-LIVE", "INC-NEW"], deadlines, now));
    }
}
