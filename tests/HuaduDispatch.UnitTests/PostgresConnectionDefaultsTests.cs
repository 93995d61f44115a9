using HuaduDispatch.Silo.Hosting;
using HuaduDispatch.Silo.Storage;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace HuaduDispatch.UnitTests;

public sealed class PostgresConnectionDefaultsTests
{
    [Fact]
    public void A_plain_connection_string_gets_auto_prepare_and_no_reset_on_close()
    {
        var tuned = new NpgsqlConnectionStringBuilder(PostgresConnectionDefaults.Apply("Host=db;Database=huadu;Username=huadu"));

        Assert.Equal(32, tuned.MaxAutoPrepare);
        Assert.Equal(2, tuned.AutoPrepareMinUsages);
        Assert.True(tuned.NoResetOnClose);
        Assert.Equal("db", tuned.Host);
        Assert.Equal("huadu", tuned.Database);
        Assert.Equal("huadu", tuned.Username);
    }

    [Theory]
    [InlineData("Host=db;Max Auto Prepare=0;Auto Prepare Min Usages=5;No Reset On Close=false")]
    [InlineData("Host=db;maxautoprepare=0;AutoPrepareMinUsages=5;NORESETONCLOSE=false")]
    public void What_the_operator_set_is_kept_however_spelled(string connectionString)
    {
        var tuned = new NpgsqlConnectionStringBuilder(PostgresConnectionDefaults.Apply(connectionString));

        Assert.Equal(0, tuned.MaxAutoPrepare);
        Assert.Equal(5, tuned.AutoPrepareMinUsages);
        Assert.False(tuned.NoResetOnClose);
    }

    [Fact]
    public void The_node_uses_the_tuned_string_and_an_empty_one_still_means_embedded()
    {
        static DispatchSettings From(string? cs) => DispatchSettings.From(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Dispatch"] = cs }).Build());

        Assert.Equal(32, new NpgsqlConnectionStringBuilder(From("Host=db;Database=huadu").ConnectionString).MaxAutoPrepare);
        Assert.False(From("  ").UsesPostgres);
        Assert.False(From(null).UsesPostgres);
    }
}
