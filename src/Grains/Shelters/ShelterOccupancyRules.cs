using HuaduDispatch.Contracts;

namespace HuaduDispatch.Grains.Shelters;

/// <summary>
/// What an occupancy report (<c>POST /api/v1/shelters/{id}/occupancy</c>) does to a shelter: the head count is the truth within
/// the capacity; a shelter that holds people cannot close; a head count above 0 on a shelter never opened opens it (people
/// came, as they do in a rainstorm), but one a dispatcher closed opens only when the report says <c>open: true</c>.
/// </summary>
public static class ShelterOccupancyRules
{
    /// <summary>The shelter's occupancy, open flag and note after the report; throws a DomainException when it is refused.</summary>
    public static (int Occupancy, bool Open, string? Note) Check(ShelterOccupancyRequest request, int capacity, int occupancyNow, bool openNow, bool closedByDispatcher)
    {
        ArgumentNullException.ThrowIfNull(request);
        var note = string.IsNullOrWhiteSpace(request.Note) ? null : request.Note.Trim();
        if (request.Occupancy is null && request.Open is null && note is null)
            throw DomainException.Invalid("occupancy", "give occupancy, open or a note (or several of them)");
        if (note is { Length: > ShelterNote.MaxLength })
            throw DomainException.Invalid("note", $"note must be at most {ShelterNote.MaxLength} characters");
        if (request.Occupancy is < 0) throw DomainException.Invalid("occupancy", "occupancy must not be negative");
        if (request.Occupancy > capacity) throw DomainException.Conflict($"occupancy {request.Occupancy} exceeds the capacity of {capacity}");
        var occupancy = request.Occupancy ?? occupancyNow;
        var open = request.Open ?? openNow;
        if (request.Open is null && !openNow && occupancy > 0)
        {
            // Nobody asked to close it: it is closed already.
            if (closedByDispatcher)
                throw DomainException.Conflict($"the shelter is closed (a dispatcher closed it), so it holds nobody; to report {occupancy} people in it, " +
                    "send \"open\": true with the head count to open it again");
            open = true; // never opened: people are there, so it is open
        }
        if (!open && occupancy > 0)
            throw DomainException.Conflict(openNow
                ? $"the shelter still holds {occupancy} people; it cannot close (report a head count of 0 first, or with it)"
                : $"a closed shelter holds nobody: send a head count of 0 with \"open\": false, or \"open\": true to open it with {occupancy} people");
        return (occupancy, open, note);
    }

    /// <summary>
    /// What asking a shelter to hold <paramref name="people"/> of one incident does, given the places booked per incident
    /// (<paramref name="admitted"/>) and the head count (<paramref name="occupancy"/>): how many it takes and the head count after.
    /// The places booked never exceed the capacity, nor do the people inside once the incident's new people arrive. A head count
    /// reported by hand can be below the places booked (people went home): their places stay booked until their incident's
    /// figure is corrected, so another incident's people do not take them. The head count moves by the people who arrive or
    /// leave: new places are people arriving; places given up are people leaving, except those the head count already found
    /// gone (booked but not inside), so a correction after people went home does not count them twice.
    /// </summary>
    public static (int Take, int Occupancy) Admit(int capacity, int occupancy, IReadOnlyDictionary<string, int> admitted, string incidentId, int people)
    {
        var before = admitted.GetValueOrDefault(incidentId);
        var placedOthers = admitted.Where(a => a.Key != incidentId).Sum(a => a.Value);
        var take = Math.Max(0, Math.Min(people, Math.Min(capacity - placedOthers, capacity - occupancy + before)));
        var absent = Math.Max(0, admitted.Values.Sum() - occupancy);
        var after = take >= before ? occupancy + (take - before) : occupancy - Math.Max(0, before - take - absent);
        return (take, Math.Max(0, after));
    }
}
