namespace EdgeTwin.Telemetry.Verification;

using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Wire;

/// <summary>A chain is (gw, lane, epoch) (PROTOCOL §3).</summary>
public readonly record struct ChainKey(string Gw, Lane Lane, string Epoch)
{
    public override string ToString() => $"{Gw}/{WireNames.Of(Lane)}/{Epoch}";
}
