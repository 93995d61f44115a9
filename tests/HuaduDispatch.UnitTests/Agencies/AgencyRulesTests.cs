using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Agencies;

namespace HuaduDispatch.UnitTests.Agencies;

public sealed class AgencyRulesTests
{
    public const string Secret = "0123456789abcdef0123456789abcdef";

    public static AgencyRequest Valid(string id = "police-110") => new()
    {
        Id = id, NameZh = "广州市公安局花都区分局", NameEn = "Huadu Public Security Sub-bureau", Kind = "Police",
        Contact = new AgencyContact { Name = "Duty officer", Phone = "+86 20 8686 0110", Email = "duty@police.example.cn" },
    };

    private static WebhookRequest Hook(string? id = "main", string url = "https://hooks.example.cn/huadu", string[]? events = null, string secret = Secret) =>
        new() { Id = id, Url = url, Events = events ?? ["IncidentCreated", "levelChanged"], Secret = secret };

    private static DomainException Refused(Action action)
    {
        var e = Assert.Throws<DomainException>(action);
        return e;
    }

    [Theory]
    [InlineData("console")]
    [InlineData("hotline")]
    [InlineData("huadu-dispatch")]
    [InlineData("police-110")]
    [InlineData("water-affairs")]
    public void An_incident_source_is_one_of_the_districts_own_or_an_agency_id(string source) => Assert.Null(IncidentSources.SourceProblem(source));

    [Theory]
    [InlineData("Police 110 / 公安")]
    [InlineData("Police-110")]
    [InlineData("Hotline")]
    [InlineData("110")]
    [InlineData("abc")]
    [InlineData("")]
    public void Any_other_source_is_refused_with_what_a_source_may_be(string source) =>
        Assert.Contains("a source is console, hotline, huadu-dispatch or an agency id", IncidentSources.SourceProblem(source));

    [Theory]
    [InlineData("police-110")]
    [InlineData("fire")]
    [InlineData("water-affairs")]
    [InlineData("meteo2")]
    [InlineData("ab-12")]
    public void Valid_ids_are_accepted(string id) => Assert.Null(AgencyRules.IdProblem(id));

    [Theory]
    [InlineData("")]
    [InlineData("a")] // too short
    [InlineData("Police")] // upper case
    [InlineData("1police")] // starts with a digit
    [InlineData("police_110")] // underscore
    [InlineData("police/110")] // slash
    [InlineData("abc")] // reads as a hex number: would collide in grain storage
    [InlineData("deadbeef01")] // ditto
    [InlineData("a0123456789012345678901234567890123456789012345678901234567890123")] // 65 characters
    public void Invalid_or_hex_looking_ids_are_refused(string id) => Assert.NotNull(AgencyRules.IdProblem(id));

    [Theory]
    [InlineData("console")]
    [InlineData("hotline")]
    [InlineData("huadu-dispatch")]
    public void The_districts_own_incident_sources_are_no_agency_ids(string id)
    {
        Assert.Null(AgencyRules.IdProblem(id)); // a valid id otherwise (a webhook may be called so)
        Assert.Contains("is reserved for the district's own incident sources", AgencyRules.AgencyIdProblem(id));
        Assert.Throws<DomainException>(() => AgencyRules.Profile(new AgencyRequest { Id = id, NameZh = "热线", NameEn = "Hotline", Kind = "Police" }));
    }

    [Fact]
    public void A_valid_request_is_normalised()
    {
        var profile = AgencyRules.Profile(Valid() with { NameEn = "  Huadu Police  ", Kind = "police" });
        Assert.Equal("police-110", profile.Id);
        Assert.Equal("Huadu Police", profile.NameEn);
        Assert.Equal(AgencyKind.Police, profile.Kind);
    }

    [Theory]
    [InlineData("id")]
    [InlineData("nameZh")]
    [InlineData("nameEn")]
    [InlineData("kind")]
    [InlineData("contact")]
    [InlineData("contact.email")]
    [InlineData("contact.phone")]
    [InlineData("contact.name")]
    public void Each_bad_field_is_refused_naming_the_field(string field)
    {
        var request = field switch
        {
            "id" => Valid("ABC"),
            "nameZh" => Valid() with { NameZh = " " },
            "nameEn" => Valid() with { NameEn = null },
            "kind" => Valid() with { Kind = "Army" },
            "contact" => Valid() with { Contact = null },
            "contact.email" => Valid() with { Contact = Valid().Contact! with { Email = "not-an-email" } },
            "contact.phone" => Valid() with { Contact = Valid().Contact! with { Phone = "call me" } },
            _ => Valid() with { Contact = Valid().Contact! with { Name = "" } },
        };
        var e = Refused(() => AgencyRules.Profile(request));
        Assert.Equal(DomainErrorKind.Invalid, e.Kind);
        Assert.Equal(field, e.Field);
    }

    [Fact]
    public void A_numeric_kind_is_refused() =>
        Assert.Equal("kind", Refused(() => AgencyRules.Profile(Valid() with { Kind = "0" })).Field);

    [Fact]
    public void Put_refuses_a_body_id_that_differs_from_the_path() =>
        Assert.Equal("id", Refused(() => AgencyRules.Profile(Valid("fire-119"), pathId: "police-110")).Field);

    [Fact]
    public void A_valid_webhook_parses_events_case_insensitively_and_defaults_to_active()
    {
        var hook = AgencyRules.Webhook("police-110", Hook(), [], () => "wh-x");
        Assert.Equal("main", hook.WebhookId);
        Assert.Equal([IncidentEventKind.IncidentCreated, IncidentEventKind.LevelChanged], hook.Events);
        Assert.True(hook.Active);
        Assert.Equal("police-110/main", hook.OutboxKey);
        Assert.Equal("wh-x", AgencyRules.Webhook("police-110", Hook(id: null), [], () => "wh-x").WebhookId);
    }

    [Theory]
    [InlineData("url", "ftp://hooks.example.cn/x")]
    [InlineData("url", "/relative/path")]
    [InlineData("url", "https://user:pw@hooks.example.cn/x")]
    [InlineData("events", "")]
    [InlineData("events", "TeamArrived")]
    [InlineData("secret", "too-short")]
    [InlineData("id", "A-1")]
    public void Bad_webhooks_are_refused_naming_the_field(string field, string value)
    {
        var request = field switch
        {
            "url" => Hook(url: value),
            "events" => Hook(events: value.Length == 0 ? [] : [value]),
            "secret" => Hook(secret: value),
            _ => Hook(id: value),
        };
        var e = Refused(() => AgencyRules.Webhook("police-110", request, [], () => "wh-x"));
        Assert.Equal(DomainErrorKind.Invalid, e.Kind);
        Assert.Equal(field, e.Field);
    }

    [Fact]
    public void A_null_event_name_is_refused_saying_so_not_quoting_an_empty_name()
    {
        var e = Refused(() => AgencyRules.Webhook("police-110", Hook(events: [null!]), [], () => "wh-x"));
        Assert.Equal("events", e.Field);
        Assert.StartsWith("events holds an empty or null name; each is one of: ", e.Reason);
    }

    [Fact]
    public void A_duplicate_webhook_id_is_a_conflict() =>
        Assert.Equal(DomainErrorKind.Conflict, Refused(() => AgencyRules.Webhook("police-110", Hook(), ["main"], () => "wh-x")).Kind);

    [Fact]
    public void The_fingerprint_identifies_the_secret_without_containing_it()
    {
        var fingerprint = AgencyRules.Fingerprint(Secret);
        Assert.StartsWith("sha256:", fingerprint);
        Assert.Equal(7 + 16, fingerprint.Length);
        Assert.DoesNotContain(Secret[..8], fingerprint);
        Assert.Equal(fingerprint, AgencyRules.Fingerprint(Secret));
        Assert.NotEqual(fingerprint, AgencyRules.Fingerprint(Secret + "!"));
    }
}
