using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Relief;

namespace HuaduDispatch.UnitTests.Relief;

public sealed class ShipmentReportTimeTests
{
    private static readonly DateTimeOffset Now = new(2026, 7, 15, 14, 0, 0, TimeSpan.FromHours(8));

    private static Shipment Convoy(DateTimeOffset? departedAt = null, DateTimeOffset? mobilisedSince = null) => new()
    {
        Id = "SHP-1-INC-WH", IncidentId = "INC", WarehouseId = "WH", Lines = [new ItemQuantity { ItemCode = "drinking-water", Quantity = 10 }],
        Status = departedAt is null ? ShipmentStatus.Loading : ShipmentStatus.Departed, Trucks = 1,
        Departure = Now.AddMinutes(-60), Eta = Now.AddMinutes(-30), DistanceKm = 9, ReservationId = "SHP-1-INC-WH", PlanId = 1,
        UpdatedAt = Now.AddMinutes(-60), DepartedAt = departedAt, MobilisedSince = mobilisedSince,
    };

    [Fact]
    public void Without_occurredAt_a_report_happened_now()
    {
        Assert.Equal(Now, ShipmentReportTime.At(null, ShipmentStatus.Delivered, Convoy(departedAt: Now.AddMinutes(-50)), Now));
        Assert.Equal(Now, ShipmentReportTime.At(null, ShipmentStatus.Cancelled, Convoy(), Now));
    }

    [Fact]
    public void A_late_report_keeps_its_time_and_one_slightly_ahead_counts_as_now()
    {
        Assert.Equal(Now.AddMinutes(-40), ShipmentReportTime.At(Now.AddMinutes(-40), ShipmentStatus.Delivered, Convoy(departedAt: Now.AddMinutes(-70)), Now));
        Assert.Equal(Now.AddDays(-6), ShipmentReportTime.At(Now.AddDays(-6), ShipmentStatus.Departed, Convoy(), Now));
        Assert.Equal(Now, ShipmentReportTime.At(Now.AddMinutes(4), ShipmentStatus.Delivered, Convoy(departedAt: Now.AddMinutes(-70)), Now));
    }

    [Theory]
    [InlineData(ShipmentStatus.Cancelled, -10, "occurredAt goes with Departed or Delivered only")]
    [InlineData(ShipmentStatus.Loading, -10, "occurredAt goes with Departed or Delivered only")]
    [InlineData(ShipmentStatus.Delivered, 6, "occurredAt is in the future")]
    [InlineData(ShipmentStatus.Departed, -8 * 24 * 60, "is more than 7 days ago")]
    public void A_time_for_another_status_ahead_of_the_server_or_from_a_reset_clock_is_refused(ShipmentStatus to, int minutes, string message)
    {
        var refused = Assert.Throws<DomainException>(() => ShipmentReportTime.At(Now.AddMinutes(minutes), to, Convoy(departedAt: to == ShipmentStatus.Delivered ? Now.AddMinutes(-70) : null), Now));
        Assert.Equal((DomainErrorKind.Invalid, "occurredAt"), (refused.Kind, refused.Field));
        Assert.Contains(message, refused.Message);
    }

    [Fact]
    public void A_delivery_is_never_before_the_departure_nor_a_departure_before_the_order_beyond_a_clock_behind_the_servers()
    {
        var departed = Convoy(departedAt: Now.AddMinutes(-30));
        var early = Assert.Throws<DomainException>(() => ShipmentReportTime.At(Now.AddMinutes(-36), ShipmentStatus.Delivered, departed, Now));
        Assert.Contains("is before the convoy departed", early.Message);
        Assert.Equal(Now.AddMinutes(-30), ShipmentReportTime.At(Now.AddMinutes(-33), ShipmentStatus.Delivered, departed, Now));

        var ordered = Convoy(mobilisedSince: Now.AddMinutes(-90));
        Assert.Contains("is before the convoy was ordered",
            Assert.Throws<DomainException>(() => ShipmentReportTime.At(Now.AddMinutes(-100), ShipmentStatus.Departed, ordered, Now)).Message);
        Assert.Equal(Now.AddMinutes(-90), ShipmentReportTime.At(Now.AddMinutes(-92), ShipmentStatus.Departed, ordered, Now));
    }

    [Fact]
    public void A_time_is_recorded_once_and_the_same_report_again_is_a_retry()
    {
        var delivered = Convoy(departedAt: Now.AddMinutes(-40)) with
        {
            Status = ShipmentStatus.Delivered, DeliveredAt = Now.AddMinutes(-20), UpdatedAt = Now.AddMinutes(-1),
        };
        Assert.Null(ShipmentReportTime.Recorded(null, Now, ShipmentStatus.Delivered, delivered));                       // no time given
        Assert.Null(ShipmentReportTime.Recorded(Now.AddMinutes(-20), Now.AddMinutes(-20), ShipmentStatus.Delivered, delivered)); // the same
        Assert.Null(ShipmentReportTime.Recorded(Now.AddMinutes(-25), Now.AddMinutes(-25), ShipmentStatus.Departed, delivered));  // another status
        Assert.Contains("was Delivered at", ShipmentReportTime.Recorded(Now.AddMinutes(-15), Now.AddMinutes(-15), ShipmentStatus.Delivered, delivered));

        // Recorded as the server's time because it was 3 minutes ahead then: the same report now is a retry.
        var ahead = delivered with { DeliveredAt = Now.AddMinutes(-1) };
        Assert.Null(ShipmentReportTime.Recorded(Now.AddMinutes(2), Now, ShipmentStatus.Delivered, ahead));
    }
}
