using System.Net;
using HuaduDispatch.Grains;
using HuaduDispatch.Silo.Storage;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;
using Orleans.Storage;

namespace HuaduDispatch.Silo.Hosting;

/// <summary>Chooses the storage mode: embedded (localhost clustering, memory) or PostgreSQL (ADO.NET providers, "Npgsql").</summary>
public static class OrleansSetup
{
    public const string NpgsqlInvariant = "Npgsql";

    /// <summary>Orleans' <see cref="ClusterMembershipOptions"/>, bound from configuration (e.g. Orleans:Membership:ProbeTimeout).</summary>
    public const string MembershipSection = "Orleans:Membership";

    /// <summary>The ADO.NET provider's own registration, wrapped by the "dispatch" storage in PostgreSQL mode.</summary>
    public const string AdoNetStorageName = StorageNames.Dispatch + "-adonet";

    public static void Configure(ISiloBuilder silo, DispatchSettings settings)
    {
        var serializer = new Storage.JsonGrainStorageSerializer();
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = settings.ClusterId;
            o.ServiceId = settings.ServiceId;
        });
        // How soon a node that died without leaving is declared dead (Orleans' membership protocol: probes, missed probes, votes).
        // The defaults take about 15 s; a site can trade that against the risk of declaring a busy node dead.
        silo.Services.AddOptions<ClusterMembershipOptions>().BindConfiguration(MembershipSection);
        // Trace context through grain calls, only when traces are exported: the propagation is two grain call filters, and any
        // filter puts every grain call (four per team report) on Orleans' filter path, with its invoker objects and extra awaits.
        if (settings.ExportsTelemetry) silo.AddActivityPropagation();
        // The default placement (Orleans' own, resource-optimized, unless configured otherwise).
        if (settings.DefaultPlacement == "Random") silo.Services.AddSingleton<PlacementStrategy, RandomPlacement>();
        else if (settings.DefaultPlacement == "PreferLocal") silo.Services.AddSingleton<PlacementStrategy, PreferLocalPlacement>();

        if (!settings.UsesPostgres)
        {
            silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort, serviceId: settings.ServiceId, clusterId: settings.ClusterId);
            silo.AddMemoryGrainStorage(StorageNames.Dispatch, o => o.GrainStorageSerializer = serializer);
            silo.UseInMemoryReminderService();
            return;
        }

        var advertised = settings.AdvertisedIPAddress ?? ResolveAdvertisedAddress(settings.AdvertisedHost);
        silo.ConfigureEndpoints(advertised, settings.SiloPort, settings.GatewayPort, settings.ListenOnAnyHostAddress);
        silo.UseAdoNetClustering(o =>
        {
            o.Invariant = NpgsqlInvariant;
            o.ConnectionString = settings.ConnectionString;
        });
        // The ADO.NET provider reads and clears grain state; writes go through group commit, which wraps it (GroupCommitGrainStorage).
        silo.AddAdoNetGrainStorage(AdoNetStorageName, o =>
        {
            o.Invariant = NpgsqlInvariant;
            o.ConnectionString = settings.ConnectionString;
            o.GrainStorageSerializer = serializer;
        });
        silo.Services.AddOptions<GroupCommitOptions>().BindConfiguration(GroupCommitOptions.Section).CheckedOnStart(o => o.Problems());
        silo.Services.AddGrainStorage(StorageNames.Dispatch, (sp, _) => new GroupCommitGrainStorage(
            sp.GetRequiredKeyedService<IGrainStorage>(AdoNetStorageName),
            NpgsqlDataSource.Create(settings.ConnectionString!),
            settings.ServiceId,
            serializer,
            sp.GetRequiredService<IOptions<GroupCommitOptions>>().Value,
            sp.GetRequiredService<ILogger<GroupCommitGrainStorage>>()));
        silo.UseAdoNetReminderService(o =>
        {
            o.Invariant = NpgsqlInvariant;
            o.ConnectionString = settings.ConnectionString;
        });
        CarriedFaultsReminderTable.Decorate(silo.Services);
    }

    internal static IPAddress ResolveAdvertisedAddress(string? host)
    {
        var name = string.IsNullOrWhiteSpace(host) ? Dns.GetHostName() : host;
        var addresses = Dns.GetHostAddresses(name);
        return addresses.FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
            ?? addresses.FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            ?? IPAddress.Loopback;
    }
}
