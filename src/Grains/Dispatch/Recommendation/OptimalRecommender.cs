using Google.OrTools.Graph;

namespace HuaduDispatch.Grains.Dispatch.Recommendation;

/// <summary>
/// Exact joint recommendation (联合最优调度) as a min-cost maximum flow, solved by OR-Tools' <see cref="MinCostFlow"/>.
/// </summary>
/// <remarks>
/// <para>The problem is a transportation problem: every team is a source of one unit, every (incident, capability) group a sink
/// of <c>Count</c> units, and an arc team → group exists when the team is available, has the capability and arrives within
/// MaxEta; its cost is the incident's priority × ETA minutes. Teams are interchangeable within a group, so the slots of a
/// group need no separate nodes. The constraint matrix is totally unimodular, so the flow optimum is integral: no MIP needed.</para>
/// <para><see cref="MinCostFlow.SolveMaxFlowWithMinCost"/> first computes the maximum flow (the most slots that can be filled)
/// and then the cheapest flow of exactly that value, which is the lexicographic objective without a big-M constant.</para>
/// <para>The solver needs integer costs. Each arc cost is scaled so the largest becomes about 10^12 / 16 (less on very large
/// graphs, to keep OR-Tools' internal cost × node-count scaling inside 64 bits) and rounded; the low 4 bits add a tie-break that
/// prefers specialists, keeping multi-skill teams free when ETAs are equal. The chosen assignment's true weighted ETA is within
/// picks × (largest arc cost) × 3·10^-11 of the real optimum — far below a second of one ETA — and the result's total is
/// recomputed in double precision from the picks.</para>
/// <para>Teams are sorted by id before the graph is built, so equal inputs give equal answers whatever the order of the list.</para>
/// </remarks>
public sealed class OptimalRecommender(TravelTimeModel travel, RecommenderOptions options) : ITeamRecommender
{
    private const long TieUnits = 16;          // low part of each scaled cost: the team's capability count - 1, capped at 15
    private const double CostBudget = 1e12;    // largest scaled arc cost on small and medium graphs

    private readonly TravelTimeModel _travel = travel ?? throw new ArgumentNullException(nameof(travel));
    private readonly RecommenderOptions _options = Checked(options);

    public RecommendationResult Recommend(IReadOnlyList<IncidentNeed> needs, IReadOnlyList<TeamCandidate> teams)
    {
        var problem = RecommendationProblem.Create(needs, teams, _travel, _options);
        var groups = problem.Groups;

        // Team nodes only for teams with at least one feasible arc, numbered in id order; group nodes after them.
        var teamNode = new int[problem.Teams.Length];
        Array.Fill(teamNode, -1);
        var arcCount = 0;
        var maxCost = 0.0;
        foreach (var group in groups)
            for (var o = 0; o < group.FeasibleCount; o++)
            {
                teamNode[group.Options[o].Team] = 0;
                maxCost = Math.Max(maxCost, group.Options[o].WeightedMinutes);
                arcCount++;
            }
        if (arcCount == 0) return problem.Assemble([]);

        var teamNodes = 0;
        for (var t = 0; t < teamNode.Length; t++)
            if (teamNode[t] == 0) teamNode[t] = teamNodes++;
        var nodeCount = teamNodes + groups.Length;

        // OR-Tools multiplies costs by (nodes + 1) and lets potentials fall to about nodes × that: keep nodes² × cost well inside 2^63.
        var budget = Math.Min(CostBudget, Math.Pow(2, 58) / Math.Pow(nodeCount + 3, 2)) / TieUnits;
        var scale = maxCost > 0 ? budget / maxCost : 1.0;

        using var flow = new MinCostFlow(nodeCount + 2, arcCount + nodeCount);
        var arcs = new (int Group, int Option)[arcCount];
        foreach (var group in groups)
        {
            var groupNode = teamNodes + group.Index;
            for (var o = 0; o < group.FeasibleCount; o++)
            {
                var option = group.Options[o];
                var tie = Math.Min(problem.Teams[option.Team].CapabilityCount - 1, (int)TieUnits - 1);
                var cost = (long)Math.Round(option.WeightedMinutes * scale) * TieUnits + tie;
                var index = flow.AddArcWithCapacityAndUnitCost(teamNode[option.Team], groupNode, 1, cost);
                arcs[index] = (group.Index, o);
            }
        }
        for (var t = 0; t < teamNode.Length; t++)
            if (teamNode[t] >= 0) flow.SetNodeSupply(teamNode[t], 1);
        foreach (var group in groups)
            flow.SetNodeSupply(teamNodes + group.Index, -group.Count);

        var status = flow.SolveMaxFlowWithMinCost();
        if (status != MinCostFlowBase.Status.OPTIMAL)
            throw new InvalidOperationException($"OR-Tools min-cost flow ended with status {status} ({nodeCount} nodes, {arcCount} arcs).");

        var assignment = new List<(int Group, int Option)>((int)flow.MaximumFlow());
        for (var a = 0; a < arcCount; a++)
            if (flow.Flow(a) > 0) assignment.Add(arcs[a]);
        return problem.Assemble(assignment);
    }

    private static RecommenderOptions Checked(RecommenderOptions options)
    {
        RecommendationProblem.ValidateOptions(options);
        return options;
    }
}
