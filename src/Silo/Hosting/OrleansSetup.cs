using System.Net;
using HuaduDispatch.Grains;
using HuaduDispatch.Silo.Storage;
using Orleans.Configuration;

namespace HuaduDispatch.Silo.Hosting;

/// <summary>Chooses the storage mode: embedded (localhost clustering, memory) or PostgreSQL (ADO.NET providers, "Npgsql").</summary>
public static class OrleansSetup
{
    public const string NpgsqlInvariant = "Npgsql";

    public static void Configure(ISiloBuilder silo, DispatchSettings settings)
    {
        var serializer = new JsonGrainStorageSerializer();
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = settings.ClusterId;
            o.ServiceId = settings.ServiceId;
        });
        silo.AddActivityPropagation();

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
        silo.AddAdoNetGrainStorage(StorageNames.Dispatch, o =>
        {
            o.Invariant = NpgsqlInvariant;
            o.ConnectionString = settings.ConnectionString;
            o.GrainStorageSerializer = serializer;
        });
        silo.UseAdoNetReminderService(o =>
        {
            o.Invariant = NpgsqlInvariant;
            o.ConnectionString = settings.ConnectionString;
        });
    }

    private static IPAddress ResolveAdvertisedAddress(string? host)
    {
        var name = string.IsNullOrWhiteSpace(host) ? Dns.GetHostName() : host;
        var addresses = Dns.GetHostAddresses(name);
        return addresses.FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
            ?? addresses.FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            ?? IPAddress.Loopback;
    }
}
