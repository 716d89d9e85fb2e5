namespace EdgeTwin.Telemetry.Chain;

using System.Globalization;
using System.Security.Cryptography;
using System.Text;

/// <summary>
/// D = SHA-256("ETP1-CHECKPOINT\n" + gw + "\n" + lane + "\n" + epoch + "\n" + (n-1) + "\n" + prev)
/// for a checkpoint at seq n whose prev is the hash of record n-1 (PROTOCOL §5).
/// </summary>
internal static class CheckpointDigest
{
    public static byte[] Compute(string gw, string lane, string epoch, long coveredThrough, string prev)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"ETP1-CHECKPOINT\n{gw}\n{lane}\n{epoch}\n{coveredThrough}\n{prev}");
        return SHA256.HashData(Encoding.UTF8.GetBytes(text));
    }
}
