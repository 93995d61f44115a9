using System.Security.Claims;
using HuaduDispatch.Api.Security;
using HuaduDispatch.Contracts;
using HuaduDispatch.Silo.Commands;
using Microsoft.Extensions.Configuration;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace HuaduDispatch.UnitTests;

public sealed class TokenTests
{
    private const string Key = "unit-test-signing-key-0123456789abcdefghij";

    private static IConfiguration Config(string? devKeyPath = null) => new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?> { ["Auth:SigningKey"] = devKeyPath is null ? Key : null, ["Auth:DevKeyPath"] = devKeyPath })
        .Build();

    private static async Task<ClaimsIdentity> Validate(string token, string key = Key)
    {
        var options = new AuthOptions { SigningKey = key };
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token,
            TokenIssuer.ValidationParameters(options, new SymmetricSecurityKey(System.Text.Encoding.UTF8.GetBytes(key))));
        Assert.True(result.IsValid, result.Exception?.Message);
        return result.ClaimsIdentity;
    }

    [Fact]
    public async Task Token_command_prints_a_team_token_bound_to_its_team()
    {
        var output = new StringWriter();
        var code = TokenCommand.Run(["--role", "team", "--team", "D01", "--hours", "2"], Config(), output, new StringWriter());
        Assert.Equal(0, code);
        var identity = await Validate(output.ToString().Trim());
        Assert.True(identity.HasClaim(Claims.Role, Roles.Team));
        Assert.True(identity.HasClaim(Claims.TeamId, "D01"));
    }

    [Theory]
    [InlineData(new[] { "--role", "team" }, "needs --team")]
    [InlineData(new[] { "--role", "agency" }, "needs --agency")]
    [InlineData(new[] { "--role", "agency", "--agency", "hotline" }, "reserved for the district's own incident sources")]
    [InlineData(new[] { "--role", "agency", "--agency", "Police 110" }, "must match")]
    [InlineData(new[] { "--role", "pilot" }, "unknown role")]
    [InlineData(new[] { "--role", "viewer", "--hours", "-3" }, "from more than 0 to 8784 (366 days)")]
    [InlineData(new[] { "--role", "viewer", "--hours", "100000" }, "from more than 0 to 8784 (366 days)")]
    [InlineData(new string[0], "usage")]
    public void Token_command_refuses_what_cannot_make_a_valid_token(string[] args, string message)
    {
        var error = new StringWriter();
        Assert.Equal(2, TokenCommand.Run(args, Config(), new StringWriter(), error));
        Assert.Contains(message, error.ToString());
    }

    [Fact]
    public async Task Without_a_configured_key_a_development_key_is_generated_once_and_reused()
    {
        var path = Path.Combine(Path.GetTempPath(), "huadu-key-" + Guid.NewGuid().ToString("N"), "dev-signing-key");
        var first = new StringWriter();
        var second = new StringWriter();
        var said = new StringWriter();
        Assert.Equal(0, TokenCommand.Run(["--role", "viewer"], Config(path), first, said));
        // Said on stderr since the thirtieth session (the token was a 401 on a node with the real key, with no hint why).
        Assert.Contains("signed with the development key", said.ToString());
        Assert.Contains("no --subject", said.ToString());
        var key = File.ReadAllText(path);
        Assert.Equal(0, TokenCommand.Run(["--role", "viewer"], Config(path), second, new StringWriter()));
        Assert.Equal(key, File.ReadAllText(path));
        Assert.True(key.Length >= SigningKeys.MinimumLength);
        await Validate(first.ToString().Trim(), key);
        await Validate(second.ToString().Trim(), key);
        Directory.Delete(Path.GetDirectoryName(path)!, true);
    }

    [Fact]
    public void A_configured_key_shorter_than_32_characters_is_refused()
    {
        Assert.Throws<InvalidOperationException>(() => SigningKeys.Resolve(new AuthOptions { SigningKey = "short" }));
        // The command says so in one line (it crashed with a stack trace, exit 134, until the thirtieth session).
        var error = new StringWriter();
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Auth:SigningKey"] = "short" }).Build();
        Assert.Equal(2, TokenCommand.Run(["--role", "viewer"], config, new StringWriter(), error));
        Assert.StartsWith("token: ", error.ToString());
    }
}
