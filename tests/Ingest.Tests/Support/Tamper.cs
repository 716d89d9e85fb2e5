namespace EdgeTwin.Ingest.Tests.Support;

using System.Text;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Signing;

internal static class Tamper
{
    /// <summary>The record with one byte changed: the first sample value's first digit.</summary>
    public static byte[] ChangeOneByte(byte[] payload)
    {
        var text = Encoding.UTF8.GetString(payload);
        var at = text.IndexOf("\"v\":[", StringComparison.Ordinal) + 5;
        Assert.True(char.IsAsciiDigit(text[at]), "record has no numeric first sample");
        var copy = (byte[])payload.Clone();
        copy[at] = (byte)(text[at] == '9' ? '1' : text[at] + 1);
        return copy;
    }

    /// <summary>A checkpoint that would come next on the writer's chain, signed by another key.</summary>
    public static ChainRecord ForgeCheckpoint(ChainWriter genuine, GatewayKey forger, DateTimeOffset now)
    {
        // The forger copies the head, not the record of whose key began the chain (a real writer refuses another signer).
        var copy = ChainWriter.Resume(genuine.State with { Key = null }, forger, genuine.Policy);
        return copy.Checkpoint(now, EdgeTwin.Telemetry.Records.ClockQuality.Synced)
            ?? throw new InvalidOperationException("nothing uncovered to forge a checkpoint over");
    }
}
