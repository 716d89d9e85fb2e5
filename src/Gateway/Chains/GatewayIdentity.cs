namespace EdgeTwin.Gateway.Chains;

using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Gateway.Diagnostics;
using EdgeTwin.Gateway.Storage;
using EdgeTwin.Outbox.Durability;
using EdgeTwin.Telemetry.Signing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

/// <summary>
/// The gateway key: loaded from <c>Gateway:KeyFile</c>, or generated (0600) on first start when none
/// was configured; on a disk too full to take the file, kept in memory until there is room
/// (<see cref="FirstStartFiles"/>).
/// </summary>
internal sealed class GatewayIdentity : IDisposable
{
    public GatewayIdentity(IOptions<GatewayOptions> options, ILogger<GatewayIdentity> logger, FirstStartFiles? firstStart = null)
    {
        var o = options.Value;
        var path = o.KeyFileFullPath;
        KeyExisted = File.Exists(path);
        try
        {
            // A configured key file is never generated: a missing one is an error.
            Key = o.KeyFileConfigured ? GatewayKey.LoadFromFile(path) : GatewayKey.LoadOrCreate(path, out _);
            if (!KeyExisted && !o.KeyFileConfigured)
            {
                GatewayLog.KeyGenerated(logger, Key.Address, path);
            }
        }
        catch (IOException ex) when (firstStart is not null && !o.KeyFileConfigured && StorageFaults.IsOutOfSpace(ex))
        {
            var key = GatewayKey.Generate();
            Key = key;
            firstStart.Defer("gateway key", path, () => key.SaveToFile(path), () => GatewayLog.KeyGenerated(logger, key.Address, path), ex);
        }
        catch (KeyFileException ex)
        {
            throw new StartupException("Gateway:KeyFile", ex.Message, ex);
        }
    }

    public GatewayKey Key { get; }

    /// <summary>Whether the key was there before this start (a missing store then means the store was lost).</summary>
    public bool KeyExisted { get; }

    public void Dispose() => Key.Dispose();
}
