namespace EdgeTwin.Gateway.Storage;

using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Gateway.Diagnostics;
using EdgeTwin.Outbox.Durability;
using EdgeTwin.Outbox.Encryption;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

/// <summary>
/// The gateway's <see cref="StorageKey"/> from <c>Gateway:StorageKeyFile</c>. The default file in the
/// data directory is generated on first start; a configured one must exist, because it lives on
/// separate protected storage and a missing file there more likely means that storage is not mounted
/// than that the gateway is new.
/// </summary>
internal static class GatewayStorageKey
{
    public const string Setting = "Gateway:StorageKeyFile";

    /// <summary>Loads the key, generating the default file on first start. <see cref="StartupException"/> naming the file otherwise.</summary>
    public static StorageKey ForGateway(GatewayOptions options)
    {
        var path = options.StorageKeyFileFullPath;
        try
        {
            return StorageKey.Open(path, generateWhenMissing: !options.StorageKeyFileConfigured);
        }
        catch (SecretFileException ex)
        {
            var hint = options.StorageKeyFileConfigured && !File.Exists(path)
                ? " (a configured key is never generated: is its storage mounted? Leave the setting empty to use one in the data directory)"
                : "";
            throw new StartupException(Setting, ex.Message + hint, ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StartupException(Setting, $"storage key file '{path}' cannot be created ({ex.Message})", ex);
        }
    }

    /// <summary>
    /// The gateway's key as a service (one per process; the outbox and the twin share it), its
    /// generation logged. On a disk too full to take the default file it is made in memory and
    /// written once there is room (<see cref="FirstStartFiles"/>); no store is created before.
    /// </summary>
    public static StorageKey FromServices(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<GatewayOptions>>().Value;
        var logger = services.GetRequiredService<ILogger<StorageKey>>();
        StorageKey key;
        try
        {
            key = ForGateway(options);
        }
        catch (StartupException ex) when (!options.StorageKeyFileConfigured && StorageFaults.IsOutOfSpace(ex) && services.GetService<FirstStartFiles>() is { } firstStart)
        {
            var inMemory = StorageKey.GenerateInMemory(options.StorageKeyFileFullPath);
            firstStart.Defer("storage key", inMemory.Path, () => inMemory.WriteNew(), () => GatewayLog.StorageKeyGenerated(logger, inMemory.Path), ex.InnerException ?? ex);
            return inMemory;
        }

        if (key.Created)
        {
            GatewayLog.StorageKeyGenerated(logger, key.Path);
        }

        return key;
    }

    /// <summary>The startup error for a store that is encrypted with another key: the store is left exactly as it is.</summary>
    public static StartupException Mismatch(StorageKey key, string storeFile) => new(Setting, key.MismatchProblem(storeFile));
}
