namespace HuaduDispatch.Contracts;

/// <summary>
/// Grain references by string key without the per-call type lookup: <c>IGrainFactory.GetGrain&lt;T&gt;(string)</c> resolves the
/// grain interface type by reflection (its attributes) on every call, which a profile of the position-report path put at about
/// 7 % of the node's CPU. The grain and interface types of <typeparamref name="T"/> are resolved once per process, on the first
/// call, and later references are made from a <see cref="GrainId"/> directly. The reference is the same as GetGrain's.
/// </summary>
public static class GrainRefs
{
    public static T Grain<T>(this IGrainFactory grains, string key) where T : IGrainWithStringKey => Cache<T>.Get(grains, key);

    private static class Cache<T> where T : IGrainWithStringKey
    {
        private sealed record Resolved(GrainType Type, GrainInterfaceType Interface);

        private static Resolved? _resolved;

        public static T Get(IGrainFactory grains, string key)
        {
            if (_resolved is { } r) return (T)grains.GetGrain(GrainId.Create(r.Type, key), r.Interface);
            var grain = grains.GetGrain<T>(key);
            var reference = (GrainReference)(object)grain;
            _resolved = new Resolved(reference.GrainId.Type, reference.InterfaceType);
            return grain;
        }
    }
}
