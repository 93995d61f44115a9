using System.Text.Json;
using HuaduDispatch.Api;
using HuaduDispatch.Contracts;

namespace HuaduDispatch.UnitTests.Api;

/// <summary>What a client reads when the API's JSON reader refuses its body: the real reader's exceptions, worded for people.</summary>
public sealed class JsonRefusalWordingTests
{
    private static readonly JsonSerializerOptions Http = Configure();

    private static JsonSerializerOptions Configure()
    {
        var options = DispatchJson.Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));
        HttpHardening.LimitJson(options, new HttpOptions());
        return options;
    }

    private static (string Field, string Reason) Refusal<T>(string json)
    {
        var e = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<T>(json, Http));
        return (DomainExceptionHandler.JsonField(e.Path), DomainExceptionHandler.Readable(e.Message.Split(" Path: ", 2)[0], e.Path));
    }

    [Theory]
    [InlineData("{\"affected\":1e3}", "affected", "expected a whole number from -2147483648 to 2147483647")]
    [InlineData("{\"affected\":\"12\"}", "affected", "expected a whole number from -2147483648 to 2147483647")]
    [InlineData("{\"affected\":2147483648}", "affected", "expected a whole number from -2147483648 to 2147483647")]
    [InlineData("{\"directLossCny\":1e308}", "directLossCny", "expected a number of at most 28 digits")]
    [InlineData("{\"hazardousMaterials\":\"yes\"}", "hazardousMaterials", "expected true or false")]
    [InlineData("[]", "body", "expected a JSON object")]
    public void A_value_of_the_wrong_type_names_the_field_and_what_it_takes(string json, string field, string reason)
    {
        var refusal = Refusal<Assessment>(json);
        Assert.Equal(field, refusal.Field);
        Assert.Equal(reason, refusal.Reason);
    }

    [Fact]
    public void A_nested_field_of_a_report_is_named_with_its_path()
    {
        var (field, reason) = Refusal<CreateIncident>("{\"type\":\"Flood\",\"assessment\":{\"relocated\":true}}");
        Assert.Equal("assessment.relocated", field);
        Assert.Equal("expected a whole number from -2147483648 to 2147483647", reason);
        (field, reason) = Refusal<CreateIncident>("{\"type\":\"Hailstorm\"}");
        Assert.Equal("type", field);
        Assert.StartsWith("the value is not one of: ", reason);
        Assert.Contains("Waterlogging", reason);
    }

    [Fact]
    public void A_string_holding_a_NUL_character_is_refused()
    {
        var (field, reason) = Refusal<DispatchRequest>("{\"teamIds\":[\"D01\",\"\\u0000\"]}");
        Assert.Equal("teamIds[1]", field);
        Assert.Contains("NUL", reason);
        Assert.Equal(["D01", "D02 \t tab"], JsonSerializer.Deserialize<DispatchRequest>("{\"teamIds\":[\"D01\",\"D02 \\t tab\"]}", Http)!.TeamIds);
    }

    [Fact]
    public void A_stock_movement_kind_that_is_not_one_of_its_values_lists_only_those_a_client_may_send()
    {
        var refusal = Refusal<StockMovementRequest>("{\"kind\":\"Steal\"}");
        Assert.Equal(("kind", "the value is not one of: Receive, Issue, Adjust"), refusal);
    }
}
