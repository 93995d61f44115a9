namespace HuaduDispatch.Grains.Dispatch.Recommendation;

/// <summary>
/// The "nearest free team" rule a dispatcher applies by hand: incidents by descending priority, their slots in order, each slot
/// takes the lowest-ETA free feasible team. Kept only as the baseline the optimal recommender is measured against; it can leave a
/// slot empty that a different choice would have filled (it spends a multi-skill team on the first incident that wants it), and
/// so also serve less total priority than the optimum, or spend more priority-weighted ETA.
/// </summary>
public sealed class GreedyRecommender(TravelTimeModel travel, RecommenderOptions options) : ITeamRecommender
{
    private readonly TravelTimeModel _travel = travel ?? throw new ArgumentNullException(nameof(travel));
    private readonly RecommenderOptions _options = Checked(options);

    public RecommendationResult Recommend(IReadOnlyList<IncidentNeed> needs, IReadOnlyList<TeamCandidate> teams)
    {
        var problem = RecommendationProblem.Create(needs, teams, _travel, _options);
        if (problem.Groups.Length == 0) return problem.Assemble([]);

        var used = new bool[problem.Teams.Length];
        var assignment = new List<(int Group, int Option)>();
        var order = Enumerable.Range(0, needs.Count).OrderByDescending(n => needs[n].Priority); // stable: input order on ties
        foreach (var n in order)
        {
            for (var r = 0; r < needs[n].Requirements.Count; r++)
            {
                var g = problem.RequirementGroups[n][r];
                if (g < 0) continue;
                var group = problem.Groups[g];
                for (var slot = 0; slot < needs[n].Requirements[r].Count; slot++)
                {
                    var o = 0;
                    while (o < group.FeasibleCount && used[group.Options[o].Team]) o++;
                    if (o == group.FeasibleCount) break; // later slots of this requirement cannot be filled either
                    used[group.Options[o].Team] = true;
                    assignment.Add((g, o));
                }
            }
        }
        return problem.Assemble(assignment);
    }

    private static RecommenderOptions Checked(RecommenderOptions options)
    {
        RecommendationProblem.ValidateOptions(options);
        return options;
    }
}
