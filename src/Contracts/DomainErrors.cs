namespace HuaduDispatch.Contracts;

[Alias("huadu.DomainErrorKind")]
public enum DomainErrorKind { Invalid, NotFound, Conflict, Forbidden, PreconditionFailed }

/// <summary>
/// A rule of the domain said no. Grains throw it; the API answers 400 (Invalid), 404, 409 or 403 with the message as the
/// problem's detail. Anything else reaching the API from a grain is a server fault.
/// </summary>
[GenerateSerializer, Alias("huadu.DomainException")]
public sealed class DomainException : Exception
{
    [Id(0)] public DomainErrorKind Kind { get; private set; }
    [Id(1)] public string Reason { get; private set; }
    [Id(2)] public string? Field { get; private set; }

    public DomainException(DomainErrorKind kind, string reason, string? field = null) : base(reason)
    {
        Kind = kind;
        Reason = reason;
        Field = field;
    }

    public static DomainException Conflict(string reason) => new(DomainErrorKind.Conflict, reason);
    public static DomainException NotFound(string reason) => new(DomainErrorKind.NotFound, reason);
    public static DomainException Invalid(string field, string reason) => new(DomainErrorKind.Invalid, reason, field);
    public static DomainException Forbidden(string reason) => new(DomainErrorKind.Forbidden, reason);
    /// <summary>A 412: the client's If-Match names a version that is no longer the one in force.</summary>
    public static DomainException PreconditionFailed(string reason) => new(DomainErrorKind.PreconditionFailed, reason);
}

/// <summary>Who did something: the token's subject and role (and team/agency when bound).</summary>
[GenerateSerializer, Immutable, Alias("huadu.Actor")]
public sealed record Actor
{
    [Id(0)] public required string Subject { get; init; }
    [Id(1)] public required string Role { get; init; }
    [Id(2)] public string? TeamId { get; init; }
    [Id(3)] public string? AgencyId { get; init; }

    public static Actor System { get; } = new() { Subject = "system", Role = "system" };
}

/// <summary>
/// The database did not answer a grain's read or write (busy, unreachable, restarting): a fault a retry can get past, which the
/// API answers with 503. The storage layer throws it in place of the driver's exception, which Orleans cannot carry from the
/// silo that holds the grain to the one that called it: until the thirtieth session the caller on the other node got a codec
/// failure and its client a 500, half of all reports in a two-node cluster during an outage. The driver's message is kept.
/// </summary>
[GenerateSerializer, Alias("huadu.DatabaseUnavailableException")]
public sealed class DatabaseUnavailableException : Exception
{
    public DatabaseUnavailableException(string message) : base(message) { }
}
