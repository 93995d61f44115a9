using System.Net;
using System.Net.Sockets;

namespace HuaduDispatch.Silo.Hosting;

/// <summary>
/// Refuses to start a node whose silo or gateway port is already taken, before the silo joins the cluster. Orleans listens
/// with address reuse, so on Linux a second process given the same ports (the start command run twice by mistake, a copied
/// `SiloPort`) listened beside the running node, joined the cluster on its address and marked it Dead as "an older clone of
/// itself": the running node stopped about 20 s later (an exploratory test, thirtieth session). Runs first among the hosted
/// services, in PostgreSQL mode, where the membership is shared.
/// </summary>
public sealed class PortCheck(DispatchSettings settings) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var address = settings.ListenOnAnyHostAddress ? IPAddress.Any
            : settings.AdvertisedIPAddress ?? OrleansSetup.ResolveAdvertisedAddress(settings.AdvertisedHost);
        foreach (var (name, port) in new[] { ("Orleans:Endpoints:SiloPort", settings.SiloPort), ("Orleans:Endpoints:GatewayPort", settings.GatewayPort) })
        {
            using var probe = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                probe.Bind(new IPEndPoint(address, port));
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                throw new InvalidOperationException(
                    $"{name} {port} on {address}: address already in use. Another node (or another program) listens on it, so this " +
                    "node did not start and did not join the cluster (it would have taken the running node's place). A second node " +
                    "on this machine needs its own Orleans:Endpoints:SiloPort and GatewayPort (README, Running a cluster).", e);
            }
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
