using HuaduDispatch.Contracts;

namespace HuaduDispatch.Grains.Realtime;

/// <summary>Sends changes to the scopes that show them (one-way: a change is acknowledged once it is durable, not once pushed).</summary>
public static class Publish
{
    public static void To(IGrainFactory grains, IEnumerable<string> scopes, IReadOnlyList<EntityChange> changes)
    {
        if (changes.Count == 0) return;
        foreach (var scope in scopes.Distinct()) _ = grains.Grain<IScopeGrain>(scope).Publish(changes);
    }
}
