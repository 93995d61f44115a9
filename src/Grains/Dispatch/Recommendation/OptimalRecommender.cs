using Google.OrTools.Graph;

namespace HuaduDispatch.Grains.Dispatch.Recommendation;

/// <summary>
/// Exact joint recommendation (联合最优调度) as a min-cost maximum flow, solved by OR-Tools' <see cref="MinCostFlow"/>.
/// </summary>
/// <remarks>
/// <para>The problem is a transportation problem: every team is a source of one unit, every (incident, capability) group a sink
/// of <c>Count</c> units, and an arc team → group exists when the team is available, has the capability and arrives within
/// MaxEta. Teams are interchangeable within a group, so the slots of a group need no separate nodes. The constraint matrix is
/// totally unimodular, so the flow optimum is integral: no MIP needed.</para>
/// <para>The objective is lexicographic, each level deciding only among the optima of the levels before it:</para>
/// <list type="number">
/// <item>the most filled slots;</item>
/// <item>then the largest total priority of the filled slots (Σ over picks of the incident's priority), so a team two incidents
/// compete for goes to the more urgent one even when it is farther from it. Priorities are compared at this level in units of
/// 1/<see cref="PriorityResolution"/> (rounded to the nearest); the system's priorities are multiples of 0.5, so they are exact;</item>
/// <item>then the least Σ priority × ETA minutes;</item>
/// <item>then specialists before multi-skill teams at (practically) equal cost, keeping multi-skill teams free.</item>
/// </list>
/// <para><see cref="MinCostFlow.SolveMaxFlowWithMinCost"/> computes the maximum flow (level 1) and then the cheapest flow of
/// exactly that value. Every maximum flow uses the same number F of team → group arcs, so with p the incident's priority in
/// units, P the largest such p in the instance, and an arc cost of <c>(P − p) × M + low</c>, the total cost is
/// <c>F × P × M − Σp × M + Σlow</c>: when M exceeds every possible difference of Σlow between two maximum flows, minimising the
/// cost maximises Σp first (level 2) and minimises Σlow among those (levels 3–4). The low part is <c>e × 16 + tie</c>, where
/// e = round(priority × ETA minutes × scale) ∈ [0, E] and tie = the team's capability count − 1, capped at 15. Σlow over a flow
/// lies in [0, F × (16E + 15)], so M = F̂ × 16(E + 1) is enough, F̂ = min(slots, teams) ≥ F being computed before solving.</para>
/// <para>Bound: the largest arc cost is W × M + 16E + 15 = 16(E + 1)(W × F̂ + 1) − 1 with W the spread of p, and must stay at or
/// below C = 2^58 / (n + 1)², n being the node count including the source and sink OR-Tools adds. OR-Tools multiplies costs by
/// n + 1 and its node potentials fall to about n × that, so n² × C ≤ 2^58 keeps every internal value 32 times inside 2^63. E is
/// therefore the largest integer with 16(E + 1)(W × F̂ + 1) ≤ C. Levels 1 and 2 are exact whenever E ≥ 0, that is
/// 16(W × F̂ + 1) ≤ C — for the system's priorities (at most 6.5, W ≤ 550) up to about 30 000 nodes; beyond that the recommender
/// throws rather than answer with an inexact level 2. Level 3 is exact up to rounding: the chosen assignment's Σ priority × ETA
/// is within 2 × F × (largest priority × ETA of an arc) / E of the optimum among the level-2 optima (the benchmark's 50 incidents
/// × 400 teams: n = 479, F̂ = 200, W = 300, E ≈ 1.3·10^6, so at most 6·10^-4 priority-minutes per pick; small instances get
/// E ≈ 10^10 and more). The result's total is recomputed in double precision from the picks.</para>
/// <para>Teams are sorted by id before the graph is built, so equal inputs give equal answers whatever the order of the list.</para>
/// </remarks>
public sealed class OptimalRecommender(TravelTimeModel travel, RecommenderOptions options) : ITeamRecommender
{
    /// <summary>Level 2 (the total priority of the filled slots) compares priorities in units of 1 / this value.</summary>
    public const int PriorityResolution = 100;

    private const long TieUnits = 16;                             // low 4 bits of each cost: capability count - 1, capped at 15
    private static readonly double CostHeadroom = Math.Pow(2, 58); // (nodes + 1)² × largest arc cost stays below this

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
        var maxWeighted = 0.0;
        long slots = 0;
        double minUnits = double.PositiveInfinity, maxUnits = double.NegativeInfinity;
        foreach (var group in groups)
        {
            if (group.FeasibleCount == 0) continue;
            slots += group.Count;
            var units = PriorityUnits(group.Need.Priority);
            minUnits = Math.Min(minUnits, units);
            maxUnits = Math.Max(maxUnits, units);
            for (var o = 0; o < group.FeasibleCount; o++)
            {
                teamNode[group.Options[o].Team] = 0;
                maxWeighted = Math.Max(maxWeighted, group.Options[o].WeightedMinutes);
                arcCount++;
            }
        }
        if (arcCount == 0) return problem.Assemble([]);

        var teamNodes = 0;
        for (var t = 0; t < teamNode.Length; t++)
            if (teamNode[t] == 0) teamNode[t] = teamNodes++;
        var nodeCount = teamNodes + groups.Length;

        // Cost layout (see the remarks): (P − p) × levelWeight + e × TieUnits + tie, with e ∈ [0, etaUnits].
        var flowBound = Math.Min(slots, teamNodes);                       // F̂ ≥ the number of arcs any maximum flow uses
        var solverNodes = nodeCount + 2.0;                               // OR-Tools adds a source and a sink
        var largestCost = CostHeadroom / ((solverNodes + 1) * (solverNodes + 1));
        var spread = maxUnits - minUnits;                                // W
        var perEtaUnit = TieUnits * (spread * flowBound + 1);            // largest cost = perEtaUnit × (E + 1) − 1
        if (perEtaUnit > largestCost)
            throw new InvalidOperationException(
                $"The priorities' spread ({spread / PriorityResolution:G6}) times the fillable slots ({flowBound}) is too large to rank " +
                $"exactly with {nodeCount} nodes in 64-bit costs.");
        var etaUnits = (long)Math.Floor(largestCost / perEtaUnit) - 1;    // E ≥ 0
        var lowSpan = TieUnits * (etaUnits + 1);                         // low part ∈ [0, lowSpan − 1]
        var levelWeight = flowBound * lowSpan;                           // M > any difference of Σ low between maximum flows
        var scale = maxWeighted > 0 ? etaUnits / maxWeighted : 0.0;

        using var flow = new MinCostFlow(nodeCount + 2, arcCount + nodeCount);
        var arcs = new (int Group, int Option)[arcCount];
        foreach (var group in groups)
        {
            if (group.FeasibleCount == 0) continue;
            var groupNode = teamNodes + group.Index;
            var priorityCost = (long)(maxUnits - PriorityUnits(group.Need.Priority)) * levelWeight; // (P − p) ≤ W: no overflow
            for (var o = 0; o < group.FeasibleCount; o++)
            {
                var option = group.Options[o];
                var tie = Math.Min(problem.Teams[option.Team].CapabilityCount - 1, (int)TieUnits - 1);
                var eta = Math.Min((long)Math.Round(option.WeightedMinutes * scale), etaUnits);
                var cost = priorityCost + eta * TieUnits + tie;
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

    /// <summary>The priority in units of 1/<see cref="PriorityResolution"/>, rounded to the nearest (a whole number, as a double).</summary>
    private static double PriorityUnits(double priority) =>
        Math.Round(priority * PriorityResolution, MidpointRounding.AwayFromZero);

    private static RecommenderOptions Checked(RecommenderOptions options)
    {
        RecommendationProblem.ValidateOptions(options);
        return options;
    }
}
