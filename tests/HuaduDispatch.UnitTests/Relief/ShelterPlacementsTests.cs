using HuaduDispatch.Grains.Relief;

namespace HuaduDispatch.UnitTests.Relief;

/// <summary>Stable shelter placements: re-assessments keep housed people where they are.</summary>
public sealed class ShelterPlacementsTests
{
    /// <summary>Shelters with room for this incident (its people there count as room it already uses), nearest first.</summary>
    private sealed class Shelters(params (string Id, int Capacity, int Others)[] nearestFirst)
    {
        public Dictionary<string, int> Held { get; } = new(StringComparer.Ordinal);
        public List<string> Asked { get; } = [];
        public IReadOnlyList<string> Order => [.. nearestFirst.Select(s => s.Id)];

        public Task<int> Admit(string id, int people)
        {
            Asked.Add(id);
            var s = nearestFirst.Single(x => x.Id == id);
            var took = Math.Max(0, Math.Min(people, s.Capacity - s.Others));
            if (took > 0) Held[id] = took;
            else Held.Remove(id);
            return Task.FromResult(took);
        }
    }

    [Fact]
    public async Task Fewer_people_leave_the_farthest_shelter_first_and_nobody_moves_to_a_nearer_one_with_room()
    {
        // S123 (nearest) had walk-ins when the 150 came: 100 there, 50 at S122. The walk-ins left: S123 has room for 900 now.
        var shelters = new Shelters(("S123", 1000, 0), ("S122", 3150, 0), ("S125", 1300, 0));
        var current = new Dictionary<string, int> { ["S123"] = 100, ["S122"] = 50 };

        var (placed, unplaced) = await ShelterPlacements.Place(current, 140, shelters.Order, shelters.Admit);

        Assert.Equal(new Dictionary<string, int> { ["S123"] = 100, ["S122"] = 40 }, placed);
        Assert.Equal(0, unplaced);
        Assert.Equal(["S122"], shelters.Asked); // S123 is not touched
    }

    [Fact]
    public async Task A_drop_larger_than_the_farthest_shelter_empties_it_then_takes_from_the_next_farthest()
    {
        var shelters = new Shelters(("A", 100, 0), ("B", 100, 0), ("C", 100, 0));
        var current = new Dictionary<string, int> { ["A"] = 100, ["B"] = 60, ["C"] = 30 };

        var (placed, _) = await ShelterPlacements.Place(current, 120, shelters.Order, shelters.Admit);

        Assert.Equal(new Dictionary<string, int> { ["A"] = 100, ["B"] = 20 }, placed);
        Assert.False(shelters.Held.ContainsKey("C"));
    }

    [Fact]
    public async Task More_people_go_nearest_first_to_shelters_with_room_and_those_housed_stay()
    {
        // A is full of others; B has room for 30 more; C for plenty.
        var shelters = new Shelters(("A", 100, 100), ("B", 80, 0), ("C", 500, 0));
        var current = new Dictionary<string, int> { ["B"] = 50, ["C"] = 10 };

        var (placed, unplaced) = await ShelterPlacements.Place(current, 120, shelters.Order, shelters.Admit);

        Assert.Equal(new Dictionary<string, int> { ["B"] = 80, ["C"] = 40 }, placed);
        Assert.Equal(0, unplaced);
    }

    [Fact]
    public async Task People_for_whom_no_shelter_has_room_are_counted_unplaced()
    {
        var shelters = new Shelters(("A", 50, 0), ("B", 20, 10));
        var (placed, unplaced) = await ShelterPlacements.Place(new Dictionary<string, int>(), 100, shelters.Order, shelters.Admit);
        Assert.Equal(new Dictionary<string, int> { ["A"] = 50, ["B"] = 10 }, placed);
        Assert.Equal(40, unplaced);
    }

    [Fact]
    public async Task A_shelter_that_no_longer_holds_the_incidents_people_loses_them_and_they_are_placed_with_the_extra_people()
    {
        // B was closed under them (it answers 0): its 30 and the 10 extra people go to C, the next with room.
        var shelters = new Shelters(("A", 40, 0), ("B", 0, 0), ("C", 500, 0));
        var current = new Dictionary<string, int> { ["A"] = 40, ["B"] = 30 };
        var (placed, unplaced) = await ShelterPlacements.Place(current, 80, shelters.Order, shelters.Admit);
        Assert.Equal(new Dictionary<string, int> { ["A"] = 40, ["C"] = 40 }, placed);
        Assert.Equal(0, unplaced);
    }

    [Fact]
    public async Task A_withdrawn_relief_placed_with_none_releases_every_place_and_a_shelter_no_longer_listed_goes_first()
    {
        var shelters = new Shelters(("A", 100, 0), ("B", 100, 0), ("GONE", 100, 0));
        var current = new Dictionary<string, int> { ["A"] = 20, ["GONE"] = 5 };

        var fewer = await ShelterPlacements.Place(current, 20, ["A", "B"], shelters.Admit);
        Assert.Equal(new Dictionary<string, int> { ["A"] = 20 }, fewer.Placed);

        var none = await ShelterPlacements.Place(current, 0, ["A", "B"], shelters.Admit);
        Assert.Empty(none.Placed);
        Assert.Empty(shelters.Held);
    }

    [Fact]
    public async Task Placements_always_hold_the_relocated_figure_when_there_is_room_and_only_the_changed_shelters_are_asked()
    {
        var random = new Random(7);
        var shelters = new Shelters(("A", 60, 0), ("B", 90, 0), ("C", 40, 0), ("D", 400, 0));
        var current = new Dictionary<string, int>();
        for (var round = 0; round < 200; round++)
        {
            var relocated = random.Next(0, 590);
            var before = new Dictionary<string, int>(current);
            var (placed, unplaced) = await ShelterPlacements.Place(current, relocated, shelters.Order, shelters.Admit);
            Assert.Equal((relocated, 0), (placed.Values.Sum(), unplaced));
            Assert.Equal(shelters.Held, placed);
            // Stable: when the figure went down nobody's place grew; when it went up nobody's shrank.
            foreach (var id in shelters.Order)
            {
                if (relocated <= before.Values.Sum()) Assert.True(placed.GetValueOrDefault(id) <= before.GetValueOrDefault(id));
                else Assert.True(placed.GetValueOrDefault(id) >= before.GetValueOrDefault(id));
            }
            current = placed;
        }
    }

    [Fact]
    public void People_sent_farther_than_the_limit_are_named_by_shelter_with_those_newly_sent_only()
    {
        var km = new Dictionary<string, double> { ["S-NEAR"] = 1.2, ["S-FAR"] = 6.0, ["S-FARTHER"] = 11.5 };
        var before = new Dictionary<string, int> { ["S-NEAR"] = 100, ["S-FAR"] = 20 };
        var after = new Dictionary<string, int> { ["S-NEAR"] = 150, ["S-FAR"] = 50, ["S-FARTHER"] = 30 };
        Assert.Equal([("S-FAR", 30, 6.0), ("S-FARTHER", 30, 11.5)], ShelterPlacements.SentFarther(before, after, km, farKm: 5));
        Assert.Empty(ShelterPlacements.SentFarther(after, after, km, farKm: 5)); // nobody newly sent
        Assert.Empty(ShelterPlacements.SentFarther(before, after, km, farKm: 12));
    }
}
