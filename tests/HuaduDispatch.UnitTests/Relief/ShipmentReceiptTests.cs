using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Relief;

namespace HuaduDispatch.UnitTests.Relief;

/// <summary>What a delivered convoy brought: received lists the items that came short; the others arrived as planned.</summary>
public sealed class ShipmentReceiptTests
{
    private static ItemQuantity Q(string item, long quantity) => new() { ItemCode = item, Quantity = quantity };
    private static readonly IReadOnlyList<ItemQuantity> Convoy = [Q("blanket", 300), Q("clothing", 120), Q("drinking-water", 50)];

    [Fact]
    public void Items_received_does_not_name_arrived_as_planned()
    {
        var arrived = ShipmentReceipt.Arrived(Convoy, [Q("blanket", 250)]);
        Assert.Equal([Q("blanket", 250), Q("clothing", 120), Q("drinking-water", 50)], arrived);
    }

    [Fact]
    public void An_empty_received_list_is_refused_with_what_to_send_instead()
    {
        var e = Assert.Throws<DomainException>(() => ShipmentReceipt.Arrived(Convoy, []));
        Assert.Equal(("received", DomainErrorKind.Invalid), (e.Field, e.Kind));
        Assert.Contains("leave it out when everything planned arrived", e.Reason);
        Assert.Contains("came short", e.Reason);
    }

    [Theory]
    [InlineData("tent", 1, "was not on this shipment")]
    [InlineData("blanket", 301, "between 0 and 300")]
    [InlineData("blanket", -1, "between 0 and 300")]
    public void A_line_that_is_not_on_the_convoy_or_out_of_its_range_is_refused(string item, long quantity, string says)
    {
        var e = Assert.Throws<DomainException>(() => ShipmentReceipt.Arrived(Convoy, [Q(item, quantity)]));
        Assert.Contains(says, e.Reason);
        Assert.Throws<DomainException>(() => ShipmentReceipt.Arrived(Convoy, [Q("blanket", 1), Q("blanket", 2)]));
    }

    [Fact]
    public void A_delivery_of_nothing_at_all_is_told_apart_from_one_that_brought_something()
    {
        Assert.False(ShipmentReceipt.AnythingArrived(ShipmentReceipt.Arrived(Convoy, [Q("blanket", 0), Q("clothing", 0), Q("drinking-water", 0)])));
        Assert.True(ShipmentReceipt.AnythingArrived(ShipmentReceipt.Arrived(Convoy, [Q("blanket", 0), Q("clothing", 0)])));
    }
}
