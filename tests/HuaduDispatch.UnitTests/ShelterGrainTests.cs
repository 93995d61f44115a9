using HuaduDispatch.Contracts;

namespace HuaduDispatch.UnitTests;

/// <summary>Shelter places on Orleans' in-process test cluster: placements by incident and head counts reported by hand.</summary>
public sealed class ShelterGrainTests(TestClusterFixture fixture) : IClassFixture<TestClusterFixture>
{
    private static readonly Actor Manager = new() { Subject = "shelter-manager", Role = Roles.Dispatcher };

    private async Task<IShelterGrain> Shelter(string id, int capacity)
    {
        var shelter = fixture.Cluster.GrainFactory.GetGrain<IShelterGrain>(id);
        await shelter.ApplyDefinition(new Shelter
        {
            Id = id, NameZh = id, NameEn = id, Kind = ShelterKind.School, AreaId = "xinhua", Position = new GeoPoint { Lat = 23.4, Lon = 113.2 },
            Capacity = capacity, FloorAreaM2 = capacity * 2,
        });
        return shelter;
    }

    [Fact]
    public async Task A_head_count_below_an_incidents_placements_never_lets_the_shelter_take_more_than_its_capacity()
    {
        var shelter = await Shelter("S-HEADCOUNT", 300);
        Assert.Equal(250, await shelter.Admit("INC-A", 250, Manager));
        await shelter.SetOccupancy(new ShelterOccupancyRequest { Occupancy = 50 }, Manager); // most of them went home

        // A's figure rises to 400: the shelter holds at most its 300 places. The 50 new people arrive; the 200 who went home
        // are still gone (their places stay booked for A), so 100 are inside (until the twenty-eighth session the placement
        // put the head count at 300, as if they had all come back).
        var took = await shelter.Admit("INC-A", 400, Manager);
        var live = (await shelter.Get())!;
        Assert.Equal(300, took);
        Assert.Equal((100, 0), (live.Occupancy, live.Room));
        Assert.Equal(0, await shelter.Admit("INC-B", 10, Manager));
    }

    [Fact]
    public async Task Places_of_people_who_went_home_stay_booked_until_their_incidents_figure_is_corrected_and_are_not_freed_twice()
    {
        // An exploratory test on a node: 50 of P's 350 went home (head count 300), Q's 50 were admitted into those places, then
        // P's figure was corrected to 300 and the shelter counted 300 inside though 350 were: R's 50 were admitted too, 400
        // placements in 350 places, and cancelling Q showed 50 places free again.
        var shelter = await Shelter("S-BOOKED", 350);
        Assert.Equal(350, await shelter.Admit("INC-P", 350, Manager));
        await shelter.SetOccupancy(new ShelterOccupancyRequest { Occupancy = 300, Note = "50 of P went home" }, Manager);
        Assert.Equal(0, (await shelter.Get())!.Room); // P's figure still says 350

        Assert.Equal(0, await shelter.Admit("INC-Q", 50, Manager));

        Assert.Equal(300, await shelter.Admit("INC-P", 300, Manager)); // the dispatcher corrects P's figure
        var corrected = (await shelter.Get())!;
        Assert.Equal(300, corrected.Occupancy); // the 50 who went home are not taken off twice
        Assert.Equal(50, corrected.Room);
        Assert.Equal(50, await shelter.Admit("INC-Q", 50, Manager));
        Assert.Equal(0, await shelter.Admit("INC-R", 50, Manager));
        var full = (await shelter.Get())!;
        Assert.Equal((350, 0, 350), (full.Occupancy, full.Room, full.Admitted.Values.Sum()));

        // A head count that puts Q's people outside (they left) keeps their places booked; Q's correction leaves P's 300 inside.
        await shelter.SetOccupancy(new ShelterOccupancyRequest { Occupancy = 300 }, Manager);
        Assert.Equal(0, await shelter.Admit("INC-Q", 0, Manager));
        var afterQ = (await shelter.Get())!;
        Assert.Equal((300, 50), (afterQ.Occupancy, afterQ.Room));
        Assert.Equal(new Dictionary<string, int> { ["INC-P"] = 300 }, afterQ.Admitted);
    }

    [Fact]
    public async Task A_placement_moves_the_head_count_by_the_people_who_arrive_not_up_to_the_places_booked()
    {
        // 200 placed, a head count of 100 (half went home, from whichever incident). A's figure drops to 0: the head count
        // stays 100 (A's people may be among those gone). A new incident's 30 arrive: 130 inside, not the 160 booked plus them
        // (until the twenty-eighth session a placement set the head count to the others' placements plus its own).
        var shelter = await Shelter("S-ARRIVALS", 250);
        foreach (var (incident, people) in new[] { ("INC-WA", 40), ("INC-WB", 70), ("INC-BIG", 90) })
            Assert.Equal(people, await shelter.Admit(incident, people, Manager));
        await shelter.SetOccupancy(new ShelterOccupancyRequest { Occupancy = 100 }, Manager);

        Assert.Equal(0, await shelter.Admit("INC-WA", 0, Manager));
        var afterWa = (await shelter.Get())!;
        Assert.Equal((100, 90), (afterWa.Occupancy, afterWa.Room)); // 160 booked

        Assert.Equal(30, await shelter.Admit("INC-NEW", 30, Manager));
        var afterNew = (await shelter.Get())!;
        Assert.Equal((130, 60), (afterNew.Occupancy, afterNew.Room));
    }

    [Fact]
    public async Task A_shelter_a_dispatcher_closed_takes_nobody_until_it_is_opened_again_but_one_never_opened_opens_for_people()
    {
        var closed = await Shelter("S-CLOSED", 100);
        Assert.Equal((false, 100), ((await closed.Get())!.Open, (await closed.Get())!.Room)); // never opened: room for people
        await closed.SetOccupancy(new ShelterOccupancyRequest { Occupancy = 0, Open = false }, Manager); // the roof is damaged
        Assert.Equal(0, await closed.Admit("INC-C", 30, Manager));
        Assert.Equal((false, 0, true, 0), ((await closed.Get())!.Open, (await closed.Get())!.Occupancy, (await closed.Get())!.ClosedByDispatcher, (await closed.Get())!.Room));
        // A head count alone does not open it; opening it does.
        await closed.SetOccupancy(new ShelterOccupancyRequest { Occupancy = 0 }, Manager);
        Assert.Equal(0, await closed.Admit("INC-C", 30, Manager));
        await closed.SetOccupancy(new ShelterOccupancyRequest { Open = true }, Manager);
        Assert.Equal(30, await closed.Admit("INC-C", 30, Manager));
        Assert.Equal((true, false, 70), ((await closed.Get())!.Open, (await closed.Get())!.ClosedByDispatcher, (await closed.Get())!.Room));

        var fresh = await Shelter("S-FRESH", 100); // never opened: placement opens it
        Assert.Equal(30, await fresh.Admit("INC-C", 30, Manager));
        Assert.True((await fresh.Get())!.Open);
        // The incident's people go home (its relocated figure drops to 0): the shelter keeps no "INC-C: 0" entry.
        Assert.Equal(0, await fresh.Admit("INC-C", 0, Manager));
        Assert.Equal((0, 0), ((await fresh.Get())!.Occupancy, (await fresh.Get())!.Admitted.Count));
    }

    [Fact]
    public async Task The_note_of_an_occupancy_report_is_kept_with_who_sent_it_and_when()
    {
        var shelter = await Shelter("S-NOTE", 200);
        var before = DateTimeOffset.UtcNow;
        var answered = await shelter.SetOccupancy(new ShelterOccupancyRequest { Occupancy = 80, Open = true, Note = "east wing flooded, using the hall" }, Manager);
        Assert.Equal(("east wing flooded, using the hall", "shelter-manager"), (answered.LastNote!.Text, answered.LastNote.By));
        Assert.True(answered.LastNote.At >= before);
        // A later report without a note keeps the last one; a note alone is a report too.
        await shelter.SetOccupancy(new ShelterOccupancyRequest { Occupancy = 70 }, Manager);
        Assert.Equal("east wing flooded, using the hall", (await shelter.Get())!.LastNote!.Text);
        Assert.Equal("water delivered", (await shelter.SetOccupancy(new ShelterOccupancyRequest { Note = "water delivered" }, Manager)).LastNote!.Text);
        Assert.Equal(70, (await shelter.Get())!.Occupancy);
    }

    [Fact]
    public async Task A_head_count_on_a_shelter_never_opened_opens_it_and_on_one_a_dispatcher_closed_says_how_to_open_it()
    {
        var fresh = await Shelter("S-NEVER-OPENED", 1300);
        var opened = await fresh.SetOccupancy(new ShelterOccupancyRequest { Occupancy = 500 }, Manager);
        Assert.Equal((true, 500), (opened.Open, opened.Occupancy));

        var closed = await Shelter("S-HEADCOUNT-CLOSED", 1300);
        await closed.SetOccupancy(new ShelterOccupancyRequest { Occupancy = 0, Open = false }, Manager);
        var e = await Assert.ThrowsAsync<DomainException>(() => closed.SetOccupancy(new ShelterOccupancyRequest { Occupancy = 500 }, Manager));
        Assert.Equal(DomainErrorKind.Conflict, e.Kind);
        Assert.DoesNotContain("cannot close", e.Reason);
        Assert.Contains("send \"open\": true", e.Reason);
        Assert.Equal((false, 0), ((await closed.Get())!.Open, (await closed.Get())!.Occupancy));
    }

    [Fact]
    public async Task A_shelter_closed_after_its_people_left_keeps_no_incidents_places_and_a_closed_one_drops_an_incident_it_is_asked_for()
    {
        var shelter = await Shelter("S-CLOSE-RELEASE", 100);
        Assert.Equal(20, await shelter.Admit("INC-CR-A", 20, Manager));
        Assert.Equal(10, await shelter.Admit("INC-CR-B", 10, Manager));
        var closed = await shelter.SetOccupancy(new ShelterOccupancyRequest { Occupancy = 0, Open = false }, Manager);
        Assert.Empty(closed.Admitted);
        Assert.Equal(0, await shelter.Admit("INC-CR-A", 20, Manager));
        Assert.Empty((await shelter.Get())!.Admitted);
    }
}
