using HuaduDispatch.Contracts;

namespace HuaduDispatch.Api.Security;

/// <summary>
/// What a shelter shows a caller. Shelters are public (any role), but the incidents whose people they house are not: for an
/// agency token, the places of incidents the agency may not see are shown together under <see cref="Others"/>, so the totals
/// (and <see cref="ShelterLive.Room"/>) stay right while no incident that is 404 to the agency is named. Until the
/// twenty-ninth session every incident id was listed with its people (an exploratory test used it to learn that an incident
/// it was refused exists). The same rule as <see cref="TeamVisibility"/>. An agency never sees a shelter's
/// <see cref="ShelterLive.LastNote"/>: the centre's operational note, with who wrote it, free text that may be about any
/// incident (a verifier's F2, thirty-third session).
/// </summary>
public static class ShelterVisibility
{
    /// <summary>The key under which an agency sees the places of the incidents it may not see.</summary>
    public const string Others = "others";

    public static async Task<IReadOnlyList<ShelterLive>> ForCaller(IReadOnlyList<ShelterLive> shelters, IGrainFactory grains, Actor actor)
    {
        if (actor.Role != Roles.Agency) return shelters;
        var ids = shelters.SelectMany(s => s.Admitted.Keys).Distinct(StringComparer.Ordinal).ToList();
        var incidents = await Task.WhenAll(ids.Select(id => grains.Grain<IIncidentGrain>(id).Get()));
        var visible = incidents.OfType<Incident>().Where(actor.CanSee).Select(i => i.Id).ToHashSet(StringComparer.Ordinal);
        return [.. shelters.Select(s => Hide(s, visible) with { LastNote = null })];
    }

    public static async Task<ShelterLive> ForCaller(ShelterLive shelter, IGrainFactory grains, Actor actor) =>
        (await ForCaller([shelter], grains, actor))[0];

    private static ShelterLive Hide(ShelterLive shelter, HashSet<string> visible)
    {
        if (shelter.Admitted.Keys.All(visible.Contains)) return shelter;
        var shown = shelter.Admitted.Where(a => visible.Contains(a.Key)).ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);
        shown[Others] = shelter.Admitted.Where(a => !visible.Contains(a.Key)).Sum(a => a.Value);
        return shelter with { Admitted = shown };
    }
}
