namespace HuaduDispatch.Contracts;

/// <summary>
/// An enum value the system records but a client may not send (<see cref="StockMovementKind.Shipped"/>): the API's refusal of a
/// value that is not one of the enum's names lists only those a client may send.
/// </summary>
[AttributeUsage(AttributeTargets.Field)]
public sealed class SystemOnlyAttribute : Attribute
{
    /// <summary>The names of <paramref name="type"/>'s values a client may send, in declaration order.</summary>
    public static IReadOnlyList<string> SendableNames(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return [.. type.GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Where(f => !f.IsDefined(typeof(SystemOnlyAttribute), false)).Select(f => f.Name)];
    }
}
