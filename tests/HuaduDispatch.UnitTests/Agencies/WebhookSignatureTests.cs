using System.Security.Cryptography;
using System.Text;
using HuaduDispatch.Grains.Agencies;

namespace HuaduDispatch.UnitTests.Agencies;

public sealed class WebhookSignatureTests
{
    private const string Secret = "huadu-test-secret-0123456789abcdefghij";
    private const string Body = "{\"eventId\":\"INC-1/1\",\"type\":\"IncidentCreated\"}";
    private const long Timestamp = 1767225600;

    [Fact]
    public void Signature_is_sha256_hex_of_hmac_over_timestamp_dot_body_matching_a_known_vector()
    {
        // Computed outside .NET: python3 -c "import hmac,hashlib; print(hmac.new(SECRET, b'1767225600.' + BODY, hashlib.sha256).hexdigest())"
        Assert.Equal("sha256=af9872c78d2c1de2f27cbbe31aadd7292b0569cb464840d0aebac0c402a46a81", WebhookSignature.Compute(Secret, Timestamp, Body));
    }

    [Fact]
    public void Signature_matches_an_independent_HMACSHA256_over_the_utf8_bytes()
    {
        var body = "{\"summary\":\"花都区 III -> II: 山体滑坡\"}";
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(Secret));
        var expected = "sha256=" + string.Concat(hmac.ComputeHash(Encoding.UTF8.GetBytes($"{Timestamp}.{body}")).Select(b => b.ToString("x2")));
        Assert.Equal(expected, WebhookSignature.Compute(Secret, Timestamp, Encoding.UTF8.GetBytes(body)));
    }

    [Fact]
    public void Verify_accepts_the_signature_and_refuses_a_changed_body_timestamp_or_secret()
    {
        var bytes = Encoding.UTF8.GetBytes(Body);
        var header = WebhookSignature.Compute(Secret, Timestamp, bytes);
        Assert.True(WebhookSignature.Verify(Secret, Timestamp, bytes, header));
        Assert.False(WebhookSignature.Verify(Secret, Timestamp + 1, bytes, header));
        Assert.False(WebhookSignature.Verify(Secret, Timestamp, Encoding.UTF8.GetBytes(Body + " "), header));
        Assert.False(WebhookSignature.Verify(Secret + "x", Timestamp, bytes, header));
        Assert.False(WebhookSignature.Verify(Secret, Timestamp, bytes, null));
    }
}
