namespace HuaduDispatch.Api.Security;

/// <summary>Configuration section "Auth".</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>HMAC-SHA256 signing key, at least 32 characters. When empty, a development key is generated once and kept in
    /// <see cref="DevKeyPath"/>.</summary>
    public string? SigningKey { get; set; }
    public string Issuer { get; set; } = "huadu-dispatch";
    public string Audience { get; set; } = "huadu-dispatch";
    /// <summary>Where the generated development key is kept; defaults to the user's local application data folder.</summary>
    public string? DevKeyPath { get; set; }

    public static string DefaultDevKeyPath =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create),
            "HuaduDispatch", "dev-signing-key");
}
