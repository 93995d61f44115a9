using System.Globalization;
using HuaduDispatch.Contracts;

namespace HuaduDispatch.Grains.Dispatch.Recommendation;

/// <summary>
/// A validated recommendation instance shared by both recommenders: teams sorted by id, the requirements of each incident merged
/// into one slot group per (incident, capability), and for every group the available teams that have the capability with their
/// ETA, ordered by ETA, then fewer capabilities (specialists first), then id. The feasible teams of a group (ETA ≤ MaxEta) are a
/// prefix of that order. It also turns an assignment (group, option) into the public result with reasons, unfilled slots and
/// rankings, so both recommenders report in exactly the same way.
/// </summary>
internal sealed class RecommendationProblem
{
    internal sealed record Team(TeamCandidate Candidate, ulong Mask, int CapabilityCount);

    internal readonly record struct Option(int Team, TimeSpan Eta, double DistanceKm, double WeightedMinutes);

    internal sealed class Group(int index, int needIndex, IncidentNeed need, Capability capability)
    {
        public int Index { get; } = index;
        public int NeedIndex { get; } = needIndex;
        public IncidentNeed Need { get; } = need;
        public Capability Capability { get; } = capability;
        public int Count { get; set; }
        /// <summary>Every available team with the capability, best first.</summary>
        public Option[] Options { get; set; } = [];
        /// <summary>How many of <see cref="Options"/> (a prefix) are within MaxEta.</summary>
        public int FeasibleCount { get; set; }
    }

    public IReadOnlyList<IncidentNeed> Needs { get; }
    public Team[] Teams { get; }
    /// <summary>Groups with at least one slot, in need order then order of first mention of the capability.</summary>
    public Group[] Groups { get; }
    /// <summary>For each need, for each of its requirements in order, the group index (-1 when the count is 0).</summary>
    public int[][] RequirementGroups { get; }
    public RecommenderOptions Options { get; }

    private RecommendationProblem(IReadOnlyList<IncidentNeed> needs, Team[] teams, Group[] groups, int[][] requirementGroups,
        RecommenderOptions options)
    {
        Needs = needs;
        Teams = teams;
        Groups = groups;
        RequirementGroups = requirementGroups;
        Options = options;
    }

    public static ulong Bit(Capability c) => 1UL << (int)c;

    public static void ValidateOptions(RecommenderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxEta < TimeSpan.Zero)
            throw new ArgumentException($"MaxEta must not be negative, was {options.MaxEta}.", nameof(options));
        if (options.Alternatives < 0)
            throw new ArgumentException($"Alternatives must not be negative, was {options.Alternatives}.", nameof(options));
    }

    public static RecommendationProblem Create(IReadOnlyList<IncidentNeed> needs, IReadOnlyList<TeamCandidate> teams,
        TravelTimeModel travel, RecommenderOptions options)
    {
        ArgumentNullException.ThrowIfNull(needs);
        ArgumentNullException.ThrowIfNull(teams);
        var sortedTeams = ValidateTeams(teams);
        ValidateNeeds(needs);

        // Slot groups: one per (incident, capability), duplicate requirements of a capability merged.
        var groups = new List<Group>();
        var requirementGroups = new int[needs.Count][];
        for (var n = 0; n < needs.Count; n++)
        {
            var need = needs[n];
            var byCapability = new Dictionary<Capability, Group>();
            requirementGroups[n] = new int[need.Requirements.Count];
            for (var r = 0; r < need.Requirements.Count; r++)
            {
                var req = need.Requirements[r];
                if (req.Count == 0) { requirementGroups[n][r] = -1; continue; }
                if (!byCapability.TryGetValue(req.Capability, out var group))
                {
                    group = new Group(groups.Count, n, need, req.Capability);
                    byCapability.Add(req.Capability, group);
                    groups.Add(group);
                }
                group.Count += req.Count;
                requirementGroups[n][r] = group.Index;
            }
        }

        // ETAs once per (need, available team sharing a needed capability), then each group's ordered options.
        var distance = new double[sortedTeams.Length];
        var eta = new TimeSpan[sortedTeams.Length];
        var buffer = new List<Option>();
        foreach (var needGroups in groups.GroupBy(g => g.NeedIndex))
        {
            var need = needs[needGroups.Key];
            var needMask = needGroups.Aggregate(0UL, (m, g) => m | Bit(g.Capability));
            for (var t = 0; t < sortedTeams.Length; t++)
            {
                var team = sortedTeams[t];
                if (!team.Candidate.Available || (team.Mask & needMask) == 0) continue;
                distance[t] = TravelTimeModel.DistanceKm(team.Candidate.Position, need.Location);
                eta[t] = travel.EtaForDistance(distance[t], need.Type);
            }
            foreach (var group in needGroups)
            {
                buffer.Clear();
                var bit = Bit(group.Capability);
                for (var t = 0; t < sortedTeams.Length; t++)
                {
                    var team = sortedTeams[t];
                    if (!team.Candidate.Available || (team.Mask & bit) == 0) continue;
                    buffer.Add(new Option(t, eta[t], distance[t], need.Priority * eta[t].TotalMinutes));
                }
                buffer.Sort((a, b) =>
                {
                    var c = a.Eta.CompareTo(b.Eta);
                    if (c == 0) c = sortedTeams[a.Team].CapabilityCount.CompareTo(sortedTeams[b.Team].CapabilityCount);
                    return c != 0 ? c : a.Team.CompareTo(b.Team); // teams are sorted by id
                });
                group.Options = [.. buffer];
                var feasible = 0;
                while (feasible < group.Options.Length && group.Options[feasible].Eta <= options.MaxEta) feasible++;
                group.FeasibleCount = feasible;
            }
        }
        return new RecommendationProblem(needs, sortedTeams, [.. groups], requirementGroups, options);
    }

    private static Team[] ValidateTeams(IReadOnlyList<TeamCandidate> teams)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var result = new Team[teams.Count];
        for (var i = 0; i < teams.Count; i++)
        {
            var team = teams[i] ?? throw new ArgumentException($"teams[{i}] is null.", nameof(teams));
            if (string.IsNullOrWhiteSpace(team.TeamId))
                throw new ArgumentException($"teams[{i}] has no TeamId.", nameof(teams));
            if (!ids.Add(team.TeamId))
                throw new ArgumentException($"Team '{team.TeamId}' appears more than once.", nameof(teams));
            if (team.Capabilities is null)
                throw new ArgumentException($"Team '{team.TeamId}' has no capability list.", nameof(teams));
            if (team.Position is null || !team.Position.IsValid)
                throw new ArgumentException($"Team '{team.TeamId}' has no valid position.", nameof(teams));
            var mask = 0UL;
            foreach (var c in team.Capabilities)
            {
                CheckCapability(c, nameof(teams));
                mask |= Bit(c);
            }
            result[i] = new Team(team, mask, System.Numerics.BitOperations.PopCount(mask));
        }
        Array.Sort(result, (a, b) => string.CompareOrdinal(a.Candidate.TeamId, b.Candidate.TeamId));
        return result;
    }

    private static void ValidateNeeds(IReadOnlyList<IncidentNeed> needs)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < needs.Count; i++)
        {
            var need = needs[i] ?? throw new ArgumentException($"needs[{i}] is null.", nameof(needs));
            if (string.IsNullOrWhiteSpace(need.IncidentId))
                throw new ArgumentException($"needs[{i}] has no IncidentId.", nameof(needs));
            if (!ids.Add(need.IncidentId))
                throw new ArgumentException($"Incident '{need.IncidentId}' appears more than once.", nameof(needs));
            if (!double.IsFinite(need.Priority) || need.Priority <= 0)
                throw new ArgumentException($"Incident '{need.IncidentId}' has priority {need.Priority}; it must be a finite number > 0.", nameof(needs));
            if (need.Location is null || !need.Location.IsValid)
                throw new ArgumentException($"Incident '{need.IncidentId}' has no valid location.", nameof(needs));
            if (need.Requirements is null)
                throw new ArgumentException($"Incident '{need.IncidentId}' has no requirement list.", nameof(needs));
            foreach (var req in need.Requirements)
            {
                if (req is null)
                    throw new ArgumentException($"Incident '{need.IncidentId}' has a null requirement.", nameof(needs));
                CheckCapability(req.Capability, nameof(needs));
                if (req.Count < 0)
                    throw new ArgumentException($"Incident '{need.IncidentId}' requires {req.Count} × {req.Capability}; counts must not be negative.", nameof(needs));
            }
        }
    }

    private static void CheckCapability(Capability c, string parameter)
    {
        if (!Enum.IsDefined(c) || (int)c is < 0 or >= 64)
            throw new ArgumentException($"Unknown capability {(int)c}.", parameter);
    }

    /// <summary>Builds the public result from chosen (group, option index) pairs; each team must appear at most once.</summary>
    public RecommendationResult Assemble(IEnumerable<(int Group, int Option)> assignment)
    {
        var pickedBy = new int[Teams.Length];
        Array.Fill(pickedBy, -1);
        var chosen = assignment.OrderBy(a => a.Group).ThenBy(a => a.Option).ToList();
        var filled = new int[Groups.Length];
        foreach (var (g, o) in chosen)
        {
            var team = Groups[g].Options[o].Team;
            if (pickedBy[team] != -1)
                throw new InvalidOperationException($"Team '{Teams[team].Candidate.TeamId}' was assigned twice.");
            pickedBy[team] = g;
            filled[g]++;
        }

        var picks = new List<TeamPick>(chosen.Count);
        var total = 0.0;
        foreach (var (g, o) in chosen)
        {
            var group = Groups[g];
            var option = group.Options[o];
            total += option.WeightedMinutes;
            picks.Add(new TeamPick(group.Need.IncidentId, group.Capability, Teams[option.Team].Candidate.TeamId, option.Eta,
                option.DistanceKm, Reason(group, o, pickedBy)));
        }

        var unfilled = new List<UnfilledRequirement>();
        var rankings = new List<CandidateRanking>(Groups.Length);
        foreach (var group in Groups)
        {
            if (filled[group.Index] < group.Count)
                unfilled.Add(Unfilled(group, group.Count - filled[group.Index], pickedBy));
            rankings.Add(new CandidateRanking(group.Need.IncidentId, group.Capability,
                [.. group.Options.Take(Options.Alternatives + group.Count)
                    .Select(o => new RankedCandidate(Teams[o.Team].Candidate.TeamId, o.Eta, o.DistanceKm, Teams[o.Team].CapabilityCount))]));
        }
        return new RecommendationResult(picks, unfilled, rankings, total);
    }

    private string Reason(Group group, int optionIndex, int[] pickedBy)
    {
        var option = group.Options[optionIndex];
        var team = Teams[option.Team];
        var what = team.CapabilityCount == 1
            ? $"{group.Capability} specialist"
            : $"multi-skill team ({string.Join("/", CapabilitiesOf(team))}) used for {group.Capability}";
        var text = Invariant($"{what}, ETA {Minutes(option.Eta)} min ({option.DistanceKm:0.0} km)");
        // Explain a pick that is not the nearest: the nearer team is serving another slot.
        for (var j = 0; j < optionIndex; j++)
        {
            var nearer = group.Options[j];
            if (nearer.Eta >= option.Eta || pickedBy[nearer.Team] == group.Index) continue;
            if (pickedBy[nearer.Team] < 0) break;
            var other = Groups[pickedBy[nearer.Team]];
            var where = other.Need == group.Need ? $"its {other.Capability} slot" : $"{other.Need.IncidentId} ({other.Capability})";
            text += Invariant($"; nearer {Teams[nearer.Team].Candidate.TeamId} ({Minutes(nearer.Eta)} min) is sent to {where}");
            break;
        }
        return text;
    }

    private UnfilledRequirement Unfilled(Group group, int missing, int[] pickedBy)
    {
        var bit = Bit(group.Capability);
        var holders = Teams.Count(t => (t.Mask & bit) != 0);
        var of = Invariant($"{missing} of {group.Count} {group.Capability} slot(s) unfilled");
        if (holders == 0)
            return new(group.Need.IncidentId, group.Capability, missing, UnfilledReason.NoTeamWithCapability,
                $"{of}: no team in the roster has {group.Capability}.");

        var free = group.Options.Where(o => pickedBy[o.Team] < 0).ToList();
        if (free.Count > 0)
        {
            var nearest = free[0];
            return new(group.Need.IncidentId, group.Capability, missing, UnfilledReason.TooFar, Invariant(
                $"{of}: {free.Count} free available team(s) have it but the nearest, {Teams[nearest.Team].Candidate.TeamId}, is {Minutes(nearest.Eta)} min away (limit {Minutes(Options.MaxEta)} min)."));
        }
        // Every available holder is proposed somewhere: for this module's other slots, or for other incidents of this joint
        // recommendation (which team for which incident, so a dispatcher can weigh it). Before the twenty-second session the
        // latter were called "already assigned", though they were free and only proposed elsewhere.
        var unavailable = Teams.Count(t => (t.Mask & bit) != 0 && !t.Candidate.Available);
        var here = group.Options.Count(o => pickedBy[o.Team] == group.Index);
        var taken = group.Options.Where(o => pickedBy[o.Team] >= 0 && pickedBy[o.Team] != group.Index).Select(o => (o.Team, By: Groups[pickedBy[o.Team]])).ToList();
        // A team proposed for another module of the same incident is not "for another incident" (it said so until the
        // twenty-ninth session, naming the incident asked about).
        var sameIncident = taken.Where(t => t.By.Need.IncidentId == group.Need.IncidentId).Select(t => $"{Teams[t.Team].Candidate.TeamId} for {t.By.Capability}").ToList();
        var elsewhere = taken.Where(t => t.By.Need.IncidentId != group.Need.IncidentId).Select(t => $"{Teams[t.Team].Candidate.TeamId} for {t.By.Need.IncidentId}").ToList();
        var parts = new List<string> { $"{unavailable} not available" };
        if (here > 0) parts.Add($"{here} proposed for this module's other slots");
        if (sameIncident.Count > 0) parts.Add($"{sameIncident.Count} proposed for this incident's other modules ({string.Join(", ", sameIncident)})");
        if (elsewhere.Count > 0) parts.Add($"{elsewhere.Count} proposed for other incidents in this joint recommendation ({string.Join(", ", elsewhere)})");
        return new(group.Need.IncidentId, group.Capability, missing, UnfilledReason.AllBusy, Invariant(
            $"{of}: all {holders} team(s) with it are busy: {string.Join(", ", parts)}."));
    }

    private static IEnumerable<Capability> CapabilitiesOf(Team team) =>
        Enum.GetValues<Capability>().Where(c => (team.Mask & Bit(c)) != 0);

    private static string Minutes(TimeSpan t) => Math.Round(t.TotalMinutes, MidpointRounding.AwayFromZero).ToString("0", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
