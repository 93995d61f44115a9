using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Reference;
using HuaduDispatch.Grains.Relief;

namespace HuaduDispatch.UnitTests.Relief;

public sealed class ReliefStandardTests
{
    private static readonly ReferenceDataSet Shipped =
        ReferenceDataFile.Load(Path.Combine(AppContext.BaseDirectory, "ReferenceData", "huadu-reference.json")).Set;

    private static long Quantity(IReadOnlyList<(string ItemCode, long Quantity)> demand, string code) =>
        demand.SingleOrDefault(l => l.ItemCode == code).Quantity;

    [Fact]
    public void Default_standard_is_valid_states_a_basis_per_line_and_uses_only_items_of_the_shipped_catalogue()
    {
        var standard = ReliefStandard.Default;
        Assert.Empty(ReliefStandard.Validate(standard.Lines));
        Assert.Empty(standard.UnknownItems(Shipped.Items));
        Assert.All(standard.Lines, l => Assert.False(string.IsNullOrWhiteSpace(l.Basis)));
        Assert.Contains(standard.Lines, l => l.Group == ReliefGroup.Affected);
        Assert.Contains(standard.Lines, l => l.Group == ReliefGroup.Relocated);
    }

    [Fact]
    public void Default_standard_gives_3_litres_of_water_3_meals_and_a_blanket_per_affected_person_per_day()
    {
        var demand = ReliefStandard.Default.Demand(600, 0);
        // A case holds 12 × 1.5 L = 18 L: 600 persons × 3 L = 1,800 L = 100 cases (not 101 from binary fractions of 1/6).
        Assert.Equal(100, Quantity(demand, "drinking-water"));
        Assert.Equal(1800, Quantity(demand, "ready-meal"));
        Assert.Equal(600, Quantity(demand, "blanket"));
        Assert.Equal(200, Quantity(demand, "hygiene-kit"));
        Assert.Equal(20, Quantity(demand, "first-aid-kit"));
    }

    [Fact]
    public void People_covered_are_the_most_whose_own_kit_fits_not_a_share_of_the_rounded_up_need()
    {
        var standard = ReliefStandard.Default;
        var kitOf300 = standard.Kit(300, 60);
        long Have300(string item) => kitOf300.GetValueOrDefault(item);
        Assert.Equal(300, standard.PeopleCovered(350, 70, Have300));
        Assert.Equal(350, standard.PeopleCovered(350, 70, item => standard.Kit(350, 70).GetValueOrDefault(item)));
        Assert.Equal(0, standard.PeopleCovered(350, 70, _ => 0));
        Assert.Equal(0, standard.PeopleCovered(0, 0, Have300));
        // One blanket short of 300 people's kit: 299.
        Assert.Equal(299, standard.PeopleCovered(350, 70, item => Have300(item) - (item == "blanket" ? 1 : 0)));
    }

    [Fact]
    public void Demand_rounds_every_item_up_to_whole_units()
    {
        var demand = ReliefStandard.Default.Demand(7, 1);
        Assert.Equal(2, Quantity(demand, "drinking-water"));  // 7/6 = 1.17 cases
        Assert.Equal(3, Quantity(demand, "hygiene-kit"));     // 7/3 = 2.33 kits
        Assert.Equal(1, Quantity(demand, "first-aid-kit"));   // 7/30
        Assert.Equal(1, Quantity(demand, "tent"));            // 1/4 tent
        Assert.Equal(1, Quantity(demand, "disinfectant"));    // 1/50 bottle
        Assert.Equal(21, Quantity(demand, "ready-meal"));     // whole already: not rounded further
    }

    [Fact]
    public void Relocated_people_add_the_shelter_items_on_top_of_the_affected_items()
    {
        var home = ReliefStandard.Default.Demand(100, 0);
        var moved = ReliefStandard.Default.Demand(100, 40);

        string[] shelter = ["folding-bed", "tent", "clothing", "disinfectant"];
        Assert.All(shelter, code => Assert.Equal(0, Quantity(home, code)));
        Assert.Equal(40, Quantity(moved, "folding-bed"));
        Assert.Equal(10, Quantity(moved, "tent"));
        Assert.Equal(40, Quantity(moved, "clothing"));
        Assert.Equal(1, Quantity(moved, "disinfectant"));
        foreach (var (code, quantity) in home) Assert.Equal(quantity, Quantity(moved, code)); // the affected lines stay as they were
    }

    [Fact]
    public void Nobody_affected_needs_nothing_and_more_relocated_than_affected_is_refused()
    {
        Assert.Empty(ReliefStandard.Default.Demand(0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ReliefStandard.Default.Demand(10, 11));
        Assert.Throws<ArgumentOutOfRangeException>(() => ReliefStandard.Default.Demand(-1, 0));
    }

    [Fact]
    public void Kit_is_the_demand_as_an_item_dictionary()
    {
        var kit = ReliefStandard.Default.Kit(30, 12);
        Assert.Equal(ReliefStandard.Default.Demand(30, 12).ToDictionary(l => l.ItemCode, l => l.Quantity), kit);
    }

    [Fact]
    public void FromJson_reads_per_person_rates_and_persons_per_unit()
    {
        var standard = ReliefStandard.FromJson("""
            {"lines": [
              {"itemCode": "drinking-water", "group": "Affected", "perPerson": 0.5, "basis": "bureau figure"},
              {"itemCode": "hygiene-kit", "group": "affected", "personsPerUnit": 3, "basis": "one per household"},
              {"itemCode": "tent", "group": "Relocated", "personsPerUnit": 5, "basis": "bureau figure"}
            ]}
            """);
        var demand = standard.Demand(9, 6);
        Assert.Equal(5, Quantity(demand, "drinking-water"));
        Assert.Equal(3, Quantity(demand, "hygiene-kit"));
        Assert.Equal(2, Quantity(demand, "tent"));
    }

    [Fact]
    public void FromJson_refuses_a_standard_that_breaks_the_rules_and_names_each_problem()
    {
        var e = Assert.Throws<ArgumentException>(() => ReliefStandard.FromJson("""
            {"lines": [
              {"itemCode": "blanket", "group": "Affected", "perPerson": -1, "basis": "x"},
              {"itemCode": "tent", "group": "Relocated", "perPerson": 0.25, "personsPerUnit": 4, "basis": "x"},
              {"itemCode": "quilt", "group": "Relocated", "perPerson": 1, "basis": ""},
              {"itemCode": "quilt", "group": "Relocated", "perPerson": 1, "basis": "twice"}
            ]}
            """));
        Assert.Contains("perPerson must be a finite positive number", e.Message);
        Assert.Contains("exactly one of perPerson and personsPerUnit", e.Message);
        Assert.Contains("basis is empty", e.Message);
        Assert.Contains("quilt appears twice", e.Message);
        Assert.Throws<ArgumentException>(() => ReliefStandard.FromJson("not json"));
        Assert.Throws<ArgumentException>(() => ReliefStandard.FromJson("{}"));
    }

    [Fact]
    public void A_standard_naming_an_item_outside_the_catalogue_is_reported()
    {
        var standard = ReliefStandard.Default.With(new ReliefStandardLine("hot-soup", ReliefGroup.Affected, 1, "assumption"));
        Assert.Equal(["hot-soup"], standard.UnknownItems(Shipped.Items));
    }
}
