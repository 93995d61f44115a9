namespace HuaduDispatch.Contracts;

public static class ResponsePlans
{
    /// <summary>The key of the district's single response plan grain.</summary>
    public const string GrainKey = "huadu";
}
