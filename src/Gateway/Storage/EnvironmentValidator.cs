namespace EdgeTwin.Gateway.Storage;

using EdgeTwin.Drivers.Configuration;
using EdgeTwin.Gateway.Access;
using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Mqtt;
using EdgeTwin.Outbox.Durability;
using EdgeTwin.Outbox.Encryption;
using EdgeTwin.Telemetry.Signing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

/// <summary>
/// Checks what DataAnnotations cannot: the broker URI, that the data directory is writable, that the
/// key file and the storage key file are readable and private, that TLS files exist. Each failure
/// names its setting, so a refused start says exactly what to fix; nothing is created or changed here.
/// </summary>
internal sealed class EnvironmentValidator(IOptions<UplinkOptions> uplink, IConfiguration configuration) : IValidateOptions<GatewayOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewayOptions options)
    {
        var failures = new List<string>();
        CheckDataDirectory(options, failures);
        CheckKeyFile(options, failures);
        CheckStorageKeyFile(options, failures);
        CheckSecret("Twin:SiteSecretPath", configuration["Twin:SiteSecretPath"] is { Length: > 0 } secret
            ? Path.GetFullPath(secret) : Path.Combine(options.DataDirectoryFullPath, "site-secret"), "site secret", mustExist: false, failures);
        CheckSecret("Gateway:AdminTokenFile", options.AdminTokenFileFullPath, AdminToken.What, mustExist: false, failures);
        failures.AddRange(StatusAddress.Check(configuration));
        CheckUplink(uplink.Value, failures);
        CheckEmbeddedBroker(uplink.Value, failures);
        try
        {
            DriverConfiguration.Read(configuration);
        }
        catch (DriverConfigurationException ex)
        {
            failures.Add(ex.Message);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckDataDirectory(GatewayOptions options, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            return; // DataAnnotations reports it.
        }

        var dir = options.DataDirectoryFullPath;
        var existing = dir;
        while (!Directory.Exists(existing))
        {
            if (File.Exists(existing))
            {
                failures.Add($"Gateway:DataDirectory '{dir}' cannot be created: '{existing}' is a file, not a directory.");
                return;
            }

            existing = Path.GetDirectoryName(existing);
            if (existing is null)
            {
                failures.Add($"Gateway:DataDirectory '{dir}' cannot be created: no existing parent directory.");
                return;
            }
        }

        // Probe by creating a file: mode bits alone do not tell (root, ACLs, read-only mounts).
        var probe = Path.Combine(existing, $".edgetwin-write-probe-{Environment.ProcessId}");
        try
        {
            using (File.Create(probe, 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (IOException ex) when (StorageFaults.IsOutOfSpace(ex))
        {
            // Writable, but full: the gateway starts on a full disk (docs/operations.md, "A full disk").
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            failures.Add($"Gateway:DataDirectory '{dir}' is not writable by this service ({ex.Message}).");
        }
    }

    private static void CheckKeyFile(GatewayOptions options, List<string> failures)
    {
        var path = options.KeyFileFullPath;
        if (!File.Exists(path))
        {
            if (options.KeyFileConfigured)
            {
                failures.Add($"Gateway:KeyFile '{path}' does not exist (leave Gateway:KeyFile empty to generate one in the data directory).");
            }

            return;
        }

        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            if ((mode & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
                         UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute)) != 0)
            {
                failures.Add($"Gateway:KeyFile '{path}' has mode {Convert.ToString((int)mode, 8)}; a private key must be readable by the service only (chmod 600).");
                return;
            }
        }

        try
        {
            using var key = GatewayKey.LoadFromFile(path);
        }
        catch (KeyFileException ex)
        {
            failures.Add($"Gateway:KeyFile '{path}': {ex.Message}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            failures.Add($"Gateway:KeyFile '{path}' is not readable by this service ({ex.Message}).");
        }
    }

    private static void CheckStorageKeyFile(GatewayOptions options, List<string> failures) =>
        CheckSecret(GatewayStorageKey.Setting, options.StorageKeyFileFullPath, "storage key", options.StorageKeyFileConfigured, failures); // else generated at first start

    /// <summary>A secret file must be private and well-formed; a missing one is made at start unless it must exist.</summary>
    private static void CheckSecret(string setting, string path, string what, bool mustExist, List<string> failures)
    {
        if (!File.Exists(path) && !mustExist)
        {
            return;
        }

        try
        {
            _ = SecretFile.Read(path, what);
        }
        catch (SecretFileException ex)
        {
            failures.Add($"{setting}: {ex.Message}.");
        }
    }

    /// <summary>The embedded broker stays on loopback unless opened deliberately, and then only with a login.</summary>
    private static void CheckEmbeddedBroker(UplinkOptions options, List<string> failures)
    {
        if (!string.IsNullOrWhiteSpace(options.Broker))
        {
            return;
        }

        if (!System.Net.IPAddress.TryParse(options.EmbeddedBind, out var bind))
        {
            failures.Add($"Uplink:EmbeddedBind '{options.EmbeddedBind}' is not an IP address (loopback: 127.0.0.1).");
        }
        else if (!System.Net.IPAddress.IsLoopback(bind) && string.IsNullOrEmpty(options.EmbeddedUsername))
        {
            failures.Add($"Uplink:EmbeddedBind {bind} would open the embedded broker beyond this box with no login: set Uplink:EmbeddedUsername and Uplink:EmbeddedPassword, or use a site broker (Uplink:Broker).");
        }

        if (!string.IsNullOrEmpty(options.EmbeddedUsername) && string.IsNullOrEmpty(options.EmbeddedPassword))
        {
            failures.Add("Uplink:EmbeddedPassword: Uplink:EmbeddedUsername is set, so a password is needed too.");
        }
    }

    private static void CheckUplink(UplinkOptions options, List<string> failures)
    {
        CheckReceiptSigners(options, failures);
        if (string.IsNullOrWhiteSpace(options.Broker))
        {
            return;
        }

        failures.AddRange(BrokerTransport.Check(UplinkOptions.Section, options.Broker, options));
    }

    private static void CheckReceiptSigners(UplinkOptions options, List<string> failures)
    {
        if (options.Receipts && options.ReceiptSigners.Count == 0)
        {
            failures.Add("Uplink:Receipts is on but Uplink:ReceiptSigners lists no ingest address: no receipt could ever be accepted and the outbox would only grow; set Uplink:ReceiptSigners:0=<the ingest's address (GET /api/identity)>.");
        }

        foreach (var signer in options.ReceiptSigners)
        {
            if (!Eip191.IsAddress(signer))
            {
                failures.Add($"Uplink:ReceiptSigners: '{signer}' is not an address (0x + 40 hex digits).");
            }
        }
    }
}
