namespace HuaduDispatch.Grains;

/// <summary>Names of the grain storage providers the silo must register.</summary>
public static class StorageNames
{
    /// <summary>All dispatch grain state (in-memory in the embedded mode, PostgreSQL otherwise).</summary>
    public const string Dispatch = "dispatch";
}
