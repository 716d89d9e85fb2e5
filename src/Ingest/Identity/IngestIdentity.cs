namespace EdgeTwin.Ingest.Identity;

using EdgeTwin.Ingest.Mqtt;
using EdgeTwin.Ingest.Options;
using EdgeTwin.Telemetry.Signing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

/// <summary>
/// The ingest's key (<c>Ingest:KeyFile</c>): it signs receipts and re-send requests, and gateways act
/// only on what its address signed (<c>Uplink:ReceiptSigners</c>). Created 0600 on first start; a file
/// group or others may read, or a malformed one, stops the start naming the file.
/// </summary>
internal sealed class IngestIdentity : IDisposable
{
    public IngestIdentity(IOptions<IngestOptions> options, ILogger<IngestIdentity> logger)
    {
        KeyFile = options.Value.KeyFilePath();

        // Receipts are signed and checkpoints recovered many times a second: native libsecp256k1 when it
        // loads and gives the managed path's answers, else the managed path, said in the log either way.
        if (Secp256k1Accelerator.TryInstall(NativeSecp256k1.Instance, out var problem))
        {
            IngestLog.Secp256k1Native(logger, NativeSecp256k1.Instance.Name);
        }
        else
        {
            IngestLog.Secp256k1Managed(logger, problem!);
        }

        try
        {
            Key = GatewayKey.LoadOrCreate(KeyFile, out var created);
            if (created)
            {
                IngestLog.KeyGenerated(logger, Key.Address, KeyFile);
            }
        }
        catch (KeyFileException ex)
        {
            throw new OptionsValidationException(IngestOptions.Section, typeof(IngestOptions), [$"Ingest:KeyFile: {ex.Message}"]);
        }

        IngestLog.Identity(logger, Key.Address, KeyFile);
    }

    public GatewayKey Key { get; }

    public string KeyFile { get; }

    public string Address => Key.Address;

    public void Dispose() => Key.Dispose();
}
