using HuaduDispatch.Silo.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace HuaduDispatch.UnitTests;

/// <summary>
/// Trace context follows grain calls only when traces are exported: without an exporter the silo registers no grain call
/// filter, so grain calls stay off Orleans' filter path.
/// </summary>
public sealed class TracePropagationTests
{
    private static IServiceCollection SiloServices(string? exporter)
    {
        var builder = Host.CreateApplicationBuilder();
        var settings = DispatchSettings.From(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Telemetry:Exporter"] = exporter }).Build());
        builder.UseOrleans(silo => OrleansSetup.Configure(silo, settings));
        return builder.Services;
    }

    private static string[] Filters(IServiceCollection services) =>
    [
        .. services.Where(d => d.ServiceType == typeof(IIncomingGrainCallFilter) || d.ServiceType == typeof(IOutgoingGrainCallFilter))
            .Select(d => d.ImplementationType?.Name ?? "(factory)"),
    ];

    [Theory]
    [InlineData(null)]
    [InlineData("none")]
    [InlineData(" NONE ")]
    public void Without_an_exporter_no_grain_call_filter_is_registered(string? exporter)
    {
        Assert.False(DispatchSettings.From(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Telemetry:Exporter"] = exporter }).Build()).ExportsTelemetry);
        Assert.Empty(Filters(SiloServices(exporter)));
    }

    [Theory]
    [InlineData("otlp")]
    [InlineData("console")]
    public void With_an_exporter_trace_context_propagates_in_and_out_of_grains(string exporter)
    {
        var filters = Filters(SiloServices(exporter));

        Assert.Contains("ActivityPropagationIncomingGrainCallFilter", filters);
        Assert.Contains("ActivityPropagationOutgoingGrainCallFilter", filters);
    }
}
