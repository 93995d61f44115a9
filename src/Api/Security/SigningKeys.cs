using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace HuaduDispatch.Api.Security;

/// <summary>Resolves the token signing key: the configured one, or the development key generated once per user.</summary>
public static class SigningKeys
{
    public const int MinimumLength = 32;

    public sealed record Resolved(SymmetricSecurityKey Key, bool IsDevelopmentKey, string? DevKeyPath)
    {
        /// <summary>"sha256:" and the first 16 hex digits of SHA-256 of the key: tells keys apart without revealing one.</summary>
        public string Fingerprint { get; } = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Key.Key))[..16];
    }

    public static Resolved Resolve(AuthOptions options)
    {
        if (!string.IsNullOrEmpty(options.SigningKey))
        {
            if (options.SigningKey.Length < MinimumLength)
                throw new InvalidOperationException($"Auth:SigningKey must be at least {MinimumLength} characters long.");
            return new Resolved(ToKey(options.SigningKey), false, null);
        }
        var path = options.DevKeyPath ?? AuthOptions.DefaultDevKeyPath;
        return new Resolved(ToKey(LoadOrCreateDevKey(path)), true, path);
    }

    private static SymmetricSecurityKey ToKey(string text) => new(System.Text.Encoding.UTF8.GetBytes(text)) { KeyId = "huadu" };

    private static string LoadOrCreateDevKey(string path)
    {
        if (File.Exists(path))
        {
            var existing = File.ReadAllText(path).Trim();
            if (existing.Length >= MinimumLength) return existing;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        // Create-new so two nodes starting together on one machine agree on one key.
        try
        {
            using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            using var writer = new StreamWriter(stream);
            writer.Write(key);
        }
        catch (IOException) when (File.Exists(path))
        {
            return File.ReadAllText(path).Trim();
        }
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return key;
    }
}
