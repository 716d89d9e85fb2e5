namespace EdgeTwin.Hl7v2;

using System.Net;
using System.Net.Sockets;

/// <summary>
/// Who may connect to an MLLP listener (the HL7 driver's monitor port, the ingest's PCD-05 port):
/// addresses or CIDR networks, an IPv4 peer seen as IPv4-mapped IPv6 compared as IPv4.
/// </summary>
public static class PeerNetworks
{
    /// <summary>An address (10.20.0.15, one host) or a network (10.20.0.0/24); false for anything else.</summary>
    public static bool TryParse(string? value, out IPNetwork network)
    {
        network = default;
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        if (IPNetwork.TryParse(value, out network))
        {
            return true;
        }

        if (IPAddress.TryParse(value, out var single))
        {
            network = Host(single);
            return true;
        }

        return false;
    }

    /// <summary>One host.</summary>
    public static IPNetwork Host(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var a = Unmapped(address);
        return new IPNetwork(a, a.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
    }

    /// <summary>Whether <paramref name="peer"/> is in one of <paramref name="networks"/>.</summary>
    public static bool Allows(IEnumerable<IPNetwork> networks, IPAddress peer)
    {
        ArgumentNullException.ThrowIfNull(networks);
        ArgumentNullException.ThrowIfNull(peer);
        var address = Unmapped(peer);
        return networks.Any(n => n.Contains(address));
    }

    private static IPAddress Unmapped(IPAddress a) => a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a;
}
