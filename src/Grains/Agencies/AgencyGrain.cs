using System.Security.Cryptography;
using HuaduDispatch.Contracts;

namespace HuaduDispatch.Grains.Agencies;

[GenerateSerializer, Alias("huadu.WebhookState")]
public sealed class WebhookState
{
    [Id(0)] public string Id { get; set; } = "";
    [Id(1)] public string Url { get; set; } = "";
    [Id(2)] public List<IncidentEventKind> Events { get; set; } = [];
    [Id(3)] public string Secret { get; set; } = "";
    [Id(4)] public bool Active { get; set; }
    [Id(5)] public DateTimeOffset CreatedAt { get; set; }
    /// <summary>The secret the last rotation replaced, signed with too until <see cref="PreviousSecretUntil"/>.</summary>
    [Id(6)] public string? PreviousSecret { get; set; }
    [Id(7)] public DateTimeOffset? PreviousSecretUntil { get; set; }
}

[GenerateSerializer, Alias("huadu.AgencyState")]
public sealed class AgencyState
{
    /// <summary>The agency's id; only the activation with this key uses the state.</summary>
    [Id(0)] public string? Id { get; set; }
    [Id(1)] public string NameZh { get; set; } = "";
    [Id(2)] public string NameEn { get; set; } = "";
    [Id(3)] public AgencyKind Kind { get; set; }
    [Id(4)] public AgencyContact Contact { get; set; } = new();
    [Id(5)] public List<WebhookState> Webhooks { get; set; } = [];
    [Id(6)] public DateTimeOffset CreatedAt { get; set; }
    [Id(7)] public DateTimeOffset UpdatedAt { get; set; }
    [Id(8)] public string CreatedBy { get; set; } = "";
    [Id(9)] public string UpdatedBy { get; set; } = "";
    /// <summary>When an admin retired it (active: false): tokens refused, webhooks stopped. Null while active. (Id 10 is unused.)</summary>
    [Id(11)] public DateTimeOffset? RetiredAt { get; set; }

    public bool Retired => RetiredAt is not null;
}

/// <summary>One partner agency (联动单位): profile and webhook endpoints. The only writer of its state.</summary>
public sealed class AgencyGrain(
    [PersistentState("agency", StorageNames.Dispatch)] IPersistentState<AgencyState> state,
    TimeProvider clock, Microsoft.Extensions.Options.IOptions<WebhookOptions> webhookOptions) : Grain, IAgencyGrain
{
    private const string IdAlphabet = "abcdefghjkmnpqrstuvwxyz23456789";
    private AgencyState S => state.State;
    private string Key => this.GetPrimaryKeyString();
    private bool Exists => S.Id == Key;

    public Task<Agency?> Get() => Task.FromResult(Exists ? View() : null);

    public async Task<Agency> Create(AgencyRequest request, Actor actor)
    {
        var profile = AgencyRules.Profile(request);
        if (profile.Id != Key) throw new ArgumentException($"agency '{profile.Id}' sent to grain '{Key}'");
        if (Exists) throw DomainException.Conflict($"an agency with the id '{Key}' already exists");
        var now = clock.GetUtcNow();
        state.State = new AgencyState { Id = Key, CreatedAt = now, CreatedBy = actor.Subject, RetiredAt = request.Active == false ? now : null };
        Apply(profile, actor, now);
        await Write();
        return View();
    }

    public async Task<Agency> Update(AgencyRequest request, Actor actor)
    {
        EnsureExists();
        var profile = AgencyRules.Profile(request, Key);
        var reinstated = request.Active == true && S.Retired;
        var now = clock.GetUtcNow();
        if (request.Active is { } active) S.RetiredAt = active ? null : S.RetiredAt ?? now;
        Apply(profile, actor, now);
        await Write();
        // Events queued before the retirement and held since go out now, not at each outbox's next sweep.
        if (reinstated)
            await Task.WhenAll(S.Webhooks.Where(w => w.Active).Select(w => Outbox(w.Id).Resume()));
        return View();
    }

    public async Task<WebhookEndpoint> AddWebhook(WebhookRequest request, Actor actor)
    {
        EnsureExists();
        var subscription = AgencyRules.Webhook(Key, request, [.. S.Webhooks.Select(w => w.Id)],
            () => "wh-" + new string(RandomNumberGenerator.GetItems<char>(IdAlphabet, 8)));
        var now = clock.GetUtcNow();
        var hook = new WebhookState
        {
            Id = subscription.WebhookId, Url = subscription.Url, Events = [.. subscription.Events], Secret = subscription.Secret,
            Active = subscription.Active, CreatedAt = now,
        };
        // A new endpoint starts with an empty outbox, even if one with the same id was removed before.
        await Outbox(hook.Id).Drop();
        S.Webhooks.Add(hook);
        S.UpdatedAt = now;
        S.UpdatedBy = actor.Subject;
        await Write();
        return View(hook);
    }

    public async Task<WebhookEndpoint> UpdateWebhook(string webhookId, WebhookRequest request, Actor actor)
    {
        EnsureExists();
        var hook = S.Webhooks.FirstOrDefault(w => w.Id == webhookId)
            ?? throw DomainException.NotFound($"agency {Key} has no webhook '{webhookId}'");
        if (request.Id is { Length: > 0 } given && given != webhookId)
            throw DomainException.Invalid("id", $"the id in the body ('{given}') differs from the path ('{webhookId}'); ids cannot be changed");
        // The same rules as a new endpoint; without a secret the one in force is kept (a rotation sends a new one), and without
        // active the endpoint stays as it is (an address change must not switch a disabled endpoint back on).
        var subscription = AgencyRules.Webhook(Key, request with { Id = webhookId, Secret = request.Secret ?? hook.Secret, Active = request.Active ?? hook.Active },
            [.. S.Webhooks.Where(w => w.Id != webhookId).Select(w => w.Id)], () => webhookId);
        hook.Url = subscription.Url;
        hook.Events = [.. subscription.Events];
        // A rotation: the secret replaced signs too for the overlap, unless the admin says it must not (it leaked); without a
        // rotation, keepPreviousSecret: false ends an overlap running.
        var overlap = webhookOptions.Value.SecretOverlap;
        var rotated = subscription.Secret != hook.Secret;
        if (request.KeepPreviousSecret == false || (rotated && overlap <= TimeSpan.Zero)) (hook.PreviousSecret, hook.PreviousSecretUntil) = (null, null);
        else if (rotated) (hook.PreviousSecret, hook.PreviousSecretUntil) = (hook.Secret, clock.GetUtcNow() + overlap);
        hook.Secret = subscription.Secret;
        var switchedOn = subscription.Active && !hook.Active;
        hook.Active = subscription.Active;
        S.UpdatedAt = clock.GetUtcNow();
        S.UpdatedBy = actor.Subject;
        await Write();
        // Events held while it was off go out now, not at the outbox's next sweep (a minute by default).
        if (switchedOn) await Outbox(webhookId).Resume();
        return View(hook);
    }

    public async Task RemoveWebhook(string webhookId, Actor actor)
    {
        EnsureExists();
        var hook = S.Webhooks.FirstOrDefault(w => w.Id == webhookId)
            ?? throw DomainException.NotFound($"agency {Key} has no webhook '{webhookId}'");
        S.Webhooks.Remove(hook);
        S.UpdatedAt = clock.GetUtcNow();
        S.UpdatedBy = actor.Subject;
        await Write();
        await Outbox(webhookId).Drop();
    }

    /// <summary>
    /// The endpoints as last stored. The two reads that interleave answer from it, not from the state: they can run while a
    /// change waits on its write, and an endpoint (or a new url or secret) whose write then fails must never be delivered to.
    /// </summary>
    private IReadOnlyList<WebhookSubscription> _stored = [];

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _stored = Subscriptions();
        return Task.CompletedTask;
    }

    public Task<bool> HasWebhook(string webhookId) => Task.FromResult(_stored.Any(w => w.WebhookId == webhookId));

    public Task<IReadOnlyList<WebhookSubscription>> GetSubscriptions() => Task.FromResult(_stored);

    private IReadOnlyList<WebhookSubscription> Subscriptions() => Exists
        ? [.. S.Webhooks.Select(w => new WebhookSubscription
        {
            AgencyId = Key, WebhookId = w.Id, Url = w.Url, Events = [.. w.Events], Secret = w.Secret,
            Active = w.Active && !S.Retired, AgencyActive = !S.Retired, PreviousSecret = w.PreviousSecret, PreviousSecretUntil = w.PreviousSecretUntil,
        })]
        : [];

    private void Apply(AgencyProfile profile, Actor actor, DateTimeOffset now)
    {
        S.NameZh = profile.NameZh;
        S.NameEn = profile.NameEn;
        S.Kind = profile.Kind;
        S.Contact = profile.Contact;
        S.UpdatedAt = now;
        S.UpdatedBy = actor.Subject;
    }

    /// <summary>Writes the state; a failed write restarts the activation, so nothing half-applied in memory is served or written later.</summary>
    private async Task Write()
    {
        await state.WriteOrRestartAsync(this);
        _stored = Subscriptions();
    }

    private IWebhookOutboxGrain Outbox(string webhookId) => GrainFactory.Grain<IWebhookOutboxGrain>(WebhookOutboxKeys.For(Key, webhookId));

    private void EnsureExists()
    {
        if (!Exists) throw DomainException.NotFound($"no agency has the id '{Key}'");
    }

    private Agency View() => new()
    {
        Id = Key, NameZh = S.NameZh, NameEn = S.NameEn, Kind = S.Kind, Contact = S.Contact,
        Webhooks = [.. S.Webhooks.Select(View)], CreatedAt = S.CreatedAt, UpdatedAt = S.UpdatedAt, Active = !S.Retired,
        RetiredAt = S.RetiredAt,
    };

    private WebhookEndpoint View(WebhookState w)
    {
        var overlapping = w.PreviousSecret is not null && w.PreviousSecretUntil > clock.GetUtcNow();
        return new()
        {
            Id = w.Id, Url = w.Url, Events = [.. w.Events], Active = w.Active, SecretSet = w.Secret.Length > 0,
            SecretFingerprint = AgencyRules.Fingerprint(w.Secret), CreatedAt = w.CreatedAt,
            PreviousSecretFingerprint = overlapping ? AgencyRules.Fingerprint(w.PreviousSecret!) : null,
            PreviousSecretUntil = overlapping ? w.PreviousSecretUntil : null,
        };
    }
}

[GenerateSerializer, Alias("huadu.AgencyRegistryState")]
public sealed class AgencyRegistryState
{
    [Id(0)] public List<string> Ids { get; set; } = [];
}

/// <summary>
/// The ids of every registered agency (one grain, key 0; written only when an agency is created). Creation goes through it:
/// registry -> agency, never the other way, so there is no call cycle.
/// </summary>
public sealed class AgencyRegistryGrain(
    [PersistentState("agency-registry", StorageNames.Dispatch)] IPersistentState<AgencyRegistryState> state) : Grain, IAgencyRegistryGrain
{
    public async Task<Agency> Create(AgencyRequest request, Actor actor)
    {
        var profile = AgencyRules.Profile(request);
        var agency = GrainFactory.Grain<IAgencyGrain>(profile.Id);
        try
        {
            var created = await agency.Create(request, actor);
            await Add(profile.Id);
            return created;
        }
        catch (DomainException e) when (e.Kind == DomainErrorKind.Conflict)
        {
            // An earlier create may have stopped between the agency's write and this one: list it, then say it exists.
            if (await agency.Get() is not null) await Add(profile.Id);
            throw;
        }
    }

    private async Task Add(string agencyId)
    {
        if (state.State.Ids.Contains(agencyId)) return;
        state.State.Ids.Add(agencyId);
        state.State.Ids.Sort(StringComparer.Ordinal);
        await state.WriteOrRestartAsync(this); // not listed until a write succeeds (a repeated create repairs it)
    }

    public Task<IReadOnlyList<string>> List() => Task.FromResult<IReadOnlyList<string>>([.. state.State.Ids]);
}
