using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using HuaduDispatch.Contracts;

namespace HuaduDispatch.Grains.Agencies;

/// <summary>A validated agency profile.</summary>
public sealed record AgencyProfile(string Id, string NameZh, string NameEn, AgencyKind Kind, AgencyContact Contact);

/// <summary>
/// The registry's input rules (联动单位登记). Every refusal is a <see cref="DomainException"/> of kind Invalid naming the field.
/// </summary>
public static partial class AgencyRules
{
    public const int MinSecretLength = 32;
    public const int MaxSecretLength = 256;
    public const int MaxWebhooksPerAgency = 20;
    private const int MaxNameLength = 120;

    [GeneratedRegex(@"^\+?[0-9][0-9 ()-]{2,31}$")]
    private static partial Regex PhonePattern();

    /// <summary>The registry id rule (<see cref="IncidentSources.IdProblem"/>).</summary>
    public static string? IdProblem(string? id) => IncidentSources.IdProblem(id);

    public static string CheckId(string field, string? id) =>
        IdProblem(id) is { } problem ? throw DomainException.Invalid(field, $"{field} '{id}' {problem}") : id!;

    /// <summary>An agency id (<see cref="IncidentSources.AgencyIdProblem"/>): an id that is not one of the district's own sources.</summary>
    public static string? AgencyIdProblem(string? id) => IncidentSources.AgencyIdProblem(id);

    public static string CheckAgencyId(string field, string? id) =>
        AgencyIdProblem(id) is { } problem ? throw DomainException.Invalid(field, $"{field} '{id}' {problem}") : id!;

    /// <summary>Validates a POST/PUT body. For PUT, <paramref name="pathId"/> is the id in the path; a different id in the body is refused.</summary>
    public static AgencyProfile Profile(AgencyRequest? request, string? pathId = null)
    {
        if (request is null) throw DomainException.Invalid("request", "a JSON body is required");
        string id;
        if (pathId is not null)
        {
            if (request.Id is { Length: > 0 } bodyId && bodyId != pathId)
                throw DomainException.Invalid("id", $"the id in the body ('{bodyId}') differs from the path ('{pathId}'); ids cannot be changed");
            id = CheckAgencyId("id", pathId);
        }
        else id = CheckAgencyId("id", request.Id);

        var nameZh = Name("nameZh", request.NameZh);
        var nameEn = Name("nameEn", request.NameEn);
        if (string.IsNullOrWhiteSpace(request.Kind))
            throw DomainException.Invalid("kind", $"kind is required: one of {string.Join(", ", Enum.GetNames<AgencyKind>())}");
        if (!EnumNames.TryParse<AgencyKind>(request.Kind, out var kind))
            throw DomainException.Invalid("kind", $"'{request.Kind}' is not one of: {string.Join(", ", Enum.GetNames<AgencyKind>())}");
        return new AgencyProfile(id, nameZh, nameEn, kind, Contact(request.Contact));
    }

    private static string Name(string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) throw DomainException.Invalid(field, $"{field} is required");
        var trimmed = value.Trim();
        if (trimmed.Length > MaxNameLength) throw DomainException.Invalid(field, $"{field} is longer than {MaxNameLength} characters");
        return trimmed;
    }

    private static AgencyContact Contact(AgencyContact? contact)
    {
        if (contact is null) throw DomainException.Invalid("contact", "contact {name, phone, email} is required");
        var name = Name("contact.name", contact.Name);
        var phone = string.IsNullOrWhiteSpace(contact.Phone) ? null : contact.Phone.Trim();
        var email = string.IsNullOrWhiteSpace(contact.Email) ? null : contact.Email.Trim();
        if (phone is null && email is null) throw DomainException.Invalid("contact", "contact needs a phone or an email");
        if (phone is not null && !PhonePattern().IsMatch(phone)) throw DomainException.Invalid("contact.phone", $"'{phone}' is not a phone number");
        if (email is not null && !IsEmail(email)) throw DomainException.Invalid("contact.email", $"'{email}' is not an email address");
        return new AgencyContact { Name = name, Phone = phone, Email = email };
    }

    private static bool IsEmail(string email)
    {
        var at = email.IndexOf('@');
        return at > 0 && at == email.LastIndexOf('@') && at < email.Length - 1 && email.IndexOf('.', at) > at + 1 &&
            !email.Any(char.IsWhiteSpace) && email.Length <= 254;
    }

    /// <summary>A validated new webhook endpoint. <paramref name="newId"/> supplies an id when the request has none.</summary>
    public static WebhookSubscription Webhook(string agencyId, WebhookRequest? request, IReadOnlyCollection<string> existingIds, Func<string> newId)
    {
        if (request is null) throw DomainException.Invalid("request", "a JSON body is required");
        var id = request.Id is { Length: > 0 } given ? CheckId("id", given) : newId();
        if (existingIds.Contains(id)) throw DomainException.Conflict($"agency {agencyId} already has a webhook '{id}'");
        if (existingIds.Count >= MaxWebhooksPerAgency)
            throw DomainException.Conflict($"agency {agencyId} already has {MaxWebhooksPerAgency} webhooks, the most one agency may have");

        if (string.IsNullOrWhiteSpace(request.Url)) throw DomainException.Invalid("url", "url is required");
        if (!Uri.TryCreate(request.Url.Trim(), UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps) ||
            string.IsNullOrEmpty(url.Host) || url.UserInfo.Length > 0)
            throw DomainException.Invalid("url", $"'{request.Url}' is not an absolute http or https URL (without user info)");

        if (request.Events is not { Count: > 0 } names)
            throw DomainException.Invalid("events", $"events must name at least one of: {string.Join(", ", Enum.GetNames<IncidentEventKind>())}");
        var events = new List<IncidentEventKind>();
        foreach (var name in names)
        {
            if (string.IsNullOrWhiteSpace(name))
                throw DomainException.Invalid("events", $"events holds an empty or null name; each is one of: {string.Join(", ", Enum.GetNames<IncidentEventKind>())}");
            if (!EnumNames.TryParse<IncidentEventKind>(name, out var kind))
                throw DomainException.Invalid("events", $"'{name}' is not one of: {string.Join(", ", Enum.GetNames<IncidentEventKind>())}");
            if (!events.Contains(kind)) events.Add(kind);
        }

        if (string.IsNullOrEmpty(request.Secret)) throw DomainException.Invalid("secret", $"secret is required ({MinSecretLength}+ characters)");
        if (request.Secret.Length < MinSecretLength) throw DomainException.Invalid("secret", $"secret must have at least {MinSecretLength} characters");
        if (request.Secret.Length > MaxSecretLength) throw DomainException.Invalid("secret", $"secret must have at most {MaxSecretLength} characters");
        if (request.Secret.Trim().Length != request.Secret.Length) throw DomainException.Invalid("secret", "secret must not start or end with white space");

        return new WebhookSubscription
        {
            AgencyId = agencyId, WebhookId = id, Url = url.ToString(), Events = events, Secret = request.Secret, Active = request.Active ?? true,
        };
    }

    /// <summary>"sha256:" and the first 16 hex digits of SHA-256(secret): identifies a secret without revealing it.</summary>
    public static string Fingerprint(string secret) =>
        "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)))[..16];

}
