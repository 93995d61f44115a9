using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Shelters;

namespace HuaduDispatch.UnitTests.Shelters;

/// <summary>What a shelter manager's occupancy report does: head counts, opening and closing, and the note.</summary>
public sealed class ShelterOccupancyRulesTests
{
    private static ShelterOccupancyRequest Report(int? occupancy = null, bool? open = null, string? note = null) =>
        new() { Occupancy = occupancy, Open = open, Note = note };

    [Fact]
    public void A_head_count_on_a_shelter_never_opened_opens_it()
    {
        Assert.Equal((500, true, (string?)null), ShelterOccupancyRules.Check(Report(500), 1300, 0, openNow: false, closedByDispatcher: false));
        // 0 people on a shelter never opened leaves it as it is.
        Assert.Equal((0, false, (string?)null), ShelterOccupancyRules.Check(Report(0), 1300, 0, openNow: false, closedByDispatcher: false));
    }

    [Fact]
    public void A_head_count_on_a_shelter_a_dispatcher_closed_says_it_is_closed_and_how_to_open_it_not_that_it_cannot_close()
    {
        var e = Assert.Throws<DomainException>(() => ShelterOccupancyRules.Check(Report(500), 1300, 0, openNow: false, closedByDispatcher: true));
        Assert.Equal(DomainErrorKind.Conflict, e.Kind);
        Assert.DoesNotContain("cannot close", e.Reason);
        Assert.Contains("closed", e.Reason);
        Assert.Contains("\"open\": true", e.Reason);
        Assert.Equal((500, true, (string?)null), ShelterOccupancyRules.Check(Report(500, open: true), 1300, 0, openNow: false, closedByDispatcher: true));
    }

    [Fact]
    public void An_open_shelter_that_holds_people_cannot_close()
    {
        var e = Assert.Throws<DomainException>(() => ShelterOccupancyRules.Check(Report(open: false), 1300, 40, openNow: true, closedByDispatcher: false));
        Assert.StartsWith("the shelter still holds 40 people; it cannot close", e.Reason);
        Assert.Equal((0, false, (string?)null), ShelterOccupancyRules.Check(Report(0, open: false), 1300, 40, openNow: true, closedByDispatcher: false));
    }

    [Fact]
    public void A_note_is_kept_trimmed_may_come_alone_and_is_at_most_500_characters()
    {
        Assert.Equal((40, true, "water runs short"), ShelterOccupancyRules.Check(Report(note: "  water runs short "), 1300, 40, openNow: true, closedByDispatcher: false));
        var tooLong = Assert.Throws<DomainException>(() => ShelterOccupancyRules.Check(Report(10, note: new string('x', 501)), 1300, 0, true, false));
        Assert.Equal(("note", DomainErrorKind.Invalid), (tooLong.Field, tooLong.Kind));
        var nothing = Assert.Throws<DomainException>(() => ShelterOccupancyRules.Check(Report(note: " "), 1300, 0, true, false));
        Assert.Equal(DomainErrorKind.Invalid, nothing.Kind);
    }

    [Theory]
    // capacity 350, head count, places booked, incident, people asked → taken, head count after
    [InlineData(350, 0, "", "P", 350, 350, 350)]              // an empty shelter takes them and they arrive
    [InlineData(350, 300, "P:350", "Q", 50, 0, 300)]          // 50 of P went home: their places stay booked for P
    [InlineData(350, 300, "P:350", "P", 300, 300, 300)]       // P corrected: the 50 who went home are not taken off again
    [InlineData(350, 300, "P:300", "Q", 80, 50, 350)]         // room for 50 by both counts
    [InlineData(250, 100, "WA:40,WB:70,BIG:90", "NEW", 30, 30, 130)] // the head count moves by the 30 arriving, not up to the places booked
    [InlineData(300, 50, "A:250", "A", 400, 300, 100)]        // at most the capacity booked; 50 more arrive
    [InlineData(400, 320, "A:100", "A", 50, 50, 270)]         // walk-ins stay; 50 of A leave
    public void A_placement_books_at_most_the_capacity_and_moves_the_head_count_by_the_people_who_arrive_or_leave(
        int capacity, int occupancy, string booked, string incident, int people, int take, int after)
    {
        var admitted = booked.Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(b => b.Split(':')).ToDictionary(b => b[0], b => int.Parse(b[1], System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal((take, after), ShelterOccupancyRules.Admit(capacity, occupancy, admitted, incident, people));
    }
}
