using HuaduDispatch.Contracts;

namespace HuaduDispatch.Grains.Dispatch.Recommendation;

public sealed record RecommenderOptions
{
    /// <summary>A team farther than this (by ETA) is not recommended for a slot.</summary>
    public TimeSpan MaxEta { get; init; } = TimeSpan.FromMinutes(90);

    /// <summary>How many candidates beyond the required count each ranking shows.</summary>
    public int Alternatives { get; init; } = 3;

    /// <summary>What is wrong with these settings, one message per problem naming its key (none when they can be used).</summary>
    public IEnumerable<string> Problems()
    {
        if (MaxEta <= TimeSpan.Zero) yield return $"Dispatch:Recommender:MaxEta must be more than 0, was {MaxEta}";
        if (Alternatives < 0) yield return $"Dispatch:Recommender:Alternatives must not be negative, was {Alternatives}";
    }
}

/// <summary>A rescue team as the recommender sees it: what it can do, where it is, whether it may be sent.</summary>
public sealed record TeamCandidate(string TeamId, IReadOnlyList<Capability> Capabilities, GeoPoint Position, bool Available);

/// <summary>
/// The modules an incident still needs. <paramref name="Priority"/> &gt; 0: higher is more urgent; it decides which incident gets a
/// team several compete for, and weighs the incident's ETAs.
/// </summary>
public sealed record IncidentNeed(string IncidentId, IncidentType Type, GeoPoint Location, double Priority,
    IReadOnlyList<ModuleRequirement> Requirements);

/// <summary>One recommended team for one slot of a module.</summary>
public sealed record TeamPick(string IncidentId, Capability Capability, string TeamId, TimeSpan Eta, double DistanceKm, string Reason);

public sealed record RankedCandidate(string TeamId, TimeSpan Eta, double DistanceKm, int Capabilities);

/// <summary>The available teams with a capability, nearest first, as a dispatcher would list them for one module of an incident.</summary>
public sealed record CandidateRanking(string IncidentId, Capability Capability, IReadOnlyList<RankedCandidate> Ranked);

public enum UnfilledReason
{
    /// <summary>No team in the roster has the capability, whatever its status.</summary>
    NoTeamWithCapability,
    /// <summary>Teams have it, but none is available and free (unavailable, or used for other slots).</summary>
    AllBusy,
    /// <summary>A free available team has it, but every such team's ETA exceeds <see cref="RecommenderOptions.MaxEta"/>.</summary>
    TooFar,
}

public sealed record UnfilledRequirement(string IncidentId, Capability Capability, int Missing, UnfilledReason Reason, string Detail);

/// <param name="TotalWeightedEtaMinutes">Sum over picks of the incident's priority × ETA in minutes.</param>
public sealed record RecommendationResult(IReadOnlyList<TeamPick> Picks, IReadOnlyList<UnfilledRequirement> Unfilled,
    IReadOnlyList<CandidateRanking> Rankings, double TotalWeightedEtaMinutes)
{
    public static RecommendationResult Empty { get; } = new([], [], [], 0);
}

/// <summary>
/// Chooses teams for the open module slots of several incidents at once (多事件联合调度推荐). A team fills at most one slot. The
/// objective is lexicographic: the most filled slots; then the largest total priority of the filled slots (a scarce team goes to
/// the more urgent incident); then the least priority-weighted sum of ETAs. <see cref="OptimalRecommender"/> attains it exactly;
/// <see cref="GreedyRecommender"/> is a baseline that may not.
/// </summary>
public interface ITeamRecommender
{
    RecommendationResult Recommend(IReadOnlyList<IncidentNeed> needs, IReadOnlyList<TeamCandidate> teams);
}
