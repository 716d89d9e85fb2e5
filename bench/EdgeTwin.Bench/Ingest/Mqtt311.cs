namespace EdgeTwin.Bench.Ingest;

using System.Text;

/// <summary>
/// The few MQTT 3.1.1 packets the bench's own clients (<see cref="Qos1Connection"/>, <see cref="Qos1Subscriber"/>)
/// build, and the CONNACK they both expect.
/// </summary>
internal static class Mqtt311
{
    /// <summary>A CONNECT packet: protocol "MQTT" level 4, clean session, keep-alive 0 (no pings needed), the client id.</summary>
    public static byte[] Connect(string clientId)
    {
        var id = Encoding.UTF8.GetBytes(clientId);
        return Packet(0x10, [0, 4, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 4, 0x02, 0, 0, (byte)(id.Length >> 8), (byte)id.Length, .. id]);
    }

    /// <summary>A whole packet: the first byte, the remaining length and <paramref name="body"/>.</summary>
    public static byte[] Packet(byte type, ReadOnlySpan<byte> body)
    {
        Span<byte> header = stackalloc byte[5];
        header[0] = type;
        var headerLength = 1 + WriteRemainingLength(header[1..], body.Length);
        return [.. header[..headerLength], .. body];
    }

    /// <summary>Writes <paramref name="remaining"/> as MQTT's variable-length integer (1-4 bytes); returns the bytes written.</summary>
    public static int WriteRemainingLength(Span<byte> to, int remaining)
    {
        var written = 0;
        do
        {
            var digit = (byte)(remaining % 128);
            remaining /= 128;
            to[written++] = remaining > 0 ? (byte)(digit | 0x80) : digit;
        }
        while (remaining > 0);
        return written;
    }

    /// <summary>Fails, naming <paramref name="who"/>, unless <paramref name="connack"/> is a CONNACK that accepted the connection.</summary>
    public static void CheckConnack(ReadOnlySpan<byte> connack, string who)
    {
        if (connack.Length != 4 || connack[0] != 0x20 || connack[1] != 2 || connack[3] != 0)
        {
            throw new InvalidOperationException($"the broker refused the bench's {who}: CONNACK {Convert.ToHexString(connack)}");
        }
    }
}
