using System.Security.Cryptography;
using System.Text;

namespace HuaduDispatch.Grains.Agencies;

/// <summary>
/// The X-Huadu-Signature header: "sha256=" + lowercase hex HMAC-SHA256(secret, "{timestamp}.{body}"), where timestamp is the
/// X-Huadu-Timestamp value (unix seconds) and body the exact bytes sent, both as UTF-8.
/// </summary>
public static class WebhookSignature
{
    public const string Prefix = "sha256=";

    public static string Compute(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes($"{timestamp}.");
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(prefix.Length));
        return Prefix + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message));
    }

    public static string Compute(string secret, long timestamp, string body) => Compute(secret, timestamp, Encoding.UTF8.GetBytes(body));

    /// <summary>A receiver's check, in constant time.</summary>
    public static bool Verify(string secret, long timestamp, ReadOnlySpan<byte> body, string? header)
    {
        if (header is null) return false;
        var expected = Encoding.ASCII.GetBytes(Compute(secret, timestamp, body));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(header));
    }
}
