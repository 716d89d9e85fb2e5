namespace EdgeTwin.Integration.Tests.Support;

using System.Security.Cryptography;
using EdgeTwin.Telemetry.Signing;

/// <summary>
/// What an ingest anchoring in a test needs: a real local EVM node (<see cref="Ganache"/>) funding a
/// fresh anchoring key, written to a file, and the anchor contract deployed with it by
/// <c>edgetwin anchor-deploy</c>, as docs/anchoring.md sets it up.
/// </summary>
internal sealed class AnchoringLedger : IDisposable
{
    private AnchoringLedger(Ganache node, string contract, string keyFile)
    {
        Node = node;
        Contract = contract;
        KeyFile = keyFile;
    }

    public Ganache Node { get; }

    public string Rpc => Node.Rpc;

    public string Contract { get; }

    public string KeyFile { get; }

    /// <summary>The ingest's anchoring settings for this node; with a 1 h interval, rounds run when the test calls them.</summary>
    public string[] IngestArgs =>
    [
        $"--Ingest:Anchor:Rpc={Rpc}", $"--Ingest:Anchor:ChainId={Ganache.ChainId}", $"--Ingest:Anchor:Contract={Contract}",
        $"--Ingest:Anchor:KeyFile={KeyFile}", "--Ingest:Anchor:Interval=01:00:00",
    ];

    /// <summary>Writes the key to <c>anchor.key</c> in <paramref name="directory"/>, starts the node and deploys the contract.</summary>
    public static async Task<AnchoringLedger> StartAsync(string directory)
    {
        var hex = "0x" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var keyFile = Path.Combine(directory, "anchor.key");
        using (var key = GatewayKey.FromPrivateKeyHex(hex))
        {
            key.SaveToFile(keyFile);
        }

        var node = new Ganache(hex);
        try
        {
            var deploy = await Tool.RunAsync("anchor-deploy", "--rpc", node.Rpc, "--chain-id", Ganache.ChainId.ToString(System.Globalization.CultureInfo.InvariantCulture), "--key", keyFile);
            Assert.True(deploy.Code == 0, deploy.Err);
            var contract = deploy.Out.Trim();
            Assert.Matches("^0x[0-9a-fA-F]{40}$", contract);
            return new AnchoringLedger(node, contract, keyFile);
        }
        catch
        {
            node.Dispose();
            throw;
        }
    }

    public void Dispose() => Node.Dispose();
}
