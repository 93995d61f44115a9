using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Dispatch.Rules;
using static HuaduDispatch.Grains.Dispatch.Rules.LevelProposalRules;

namespace HuaduDispatch.UnitTests.Rules;

public sealed class LevelProposalRulesTests
{
    [Fact]
    public void A_more_severe_grading_applies_and_the_level_graded_now_clears_proposal_and_decline()
    {
        Assert.Equal(Outcome.Apply, OnFigures(ResponseLevel.III, ResponseLevel.II, standing: ResponseLevel.IV, declined: ResponseLevel.IV));
        Assert.Equal(Outcome.Clear, OnFigures(ResponseLevel.II, ResponseLevel.II, standing: ResponseLevel.IV, declined: ResponseLevel.IV));
    }

    [Fact]
    public void A_level_a_commander_set_below_the_figures_stands_until_figures_grade_more_severe_than_those()
    {
        // IV set against figures grading III: figures grading III again do not raise it, figures grading II do.
        Assert.Equal(Outcome.StayHeld, OnFigures(ResponseLevel.IV, ResponseLevel.III, standing: null, declined: null, heldAgainst: ResponseLevel.III));
        Assert.Equal(Outcome.Apply, OnFigures(ResponseLevel.IV, ResponseLevel.II, standing: null, declined: null, heldAgainst: ResponseLevel.III));
        Assert.Equal(Outcome.Apply, OnFigures(ResponseLevel.IV, ResponseLevel.III, standing: null, declined: null, heldAgainst: null));
    }

    [Fact]
    public void A_less_severe_grading_is_proposed_once_and_not_again_after_the_commander_declined_it()
    {
        Assert.Equal(Outcome.Propose, OnFigures(ResponseLevel.II, ResponseLevel.IV, standing: null, declined: null));
        // The same proposal standing: new figures grading IV again change nothing (a new entry at each radio count before).
        Assert.Equal(Outcome.KeepStanding, OnFigures(ResponseLevel.II, ResponseLevel.IV, standing: ResponseLevel.IV, declined: null));
        // Declined: IV is not proposed again...
        Assert.Equal(Outcome.StayDeclined, OnFigures(ResponseLevel.II, ResponseLevel.IV, standing: null, declined: ResponseLevel.IV));
        // ...but figures grading another level propose that one.
        Assert.Equal(Outcome.Propose, OnFigures(ResponseLevel.II, ResponseLevel.III, standing: null, declined: ResponseLevel.IV));
        Assert.Equal(Outcome.Propose, OnFigures(ResponseLevel.II, ResponseLevel.III, standing: ResponseLevel.IV, declined: null));
    }
}
