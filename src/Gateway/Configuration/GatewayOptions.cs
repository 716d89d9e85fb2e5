namespace EdgeTwin.Gateway.Configuration;

using System.ComponentModel.DataAnnotations;
using EdgeTwin.Drivers.Configuration;
using EdgeTwin.Telemetry.Wire;

/// <summary>
/// <c>Gateway:*</c> settings. Relative paths resolve against the working directory (documented in
/// docs/operations.md); the service unit sets the working directory to its state directory.
/// </summary>
internal sealed class GatewayOptions
{
    public const string Section = "Gateway";

    [WireName(ErrorMessage = "Gateway:Name must match " + WireNames.NameRule + " (PROTOCOL §1).")]
    public string Name { get; set; } = "sim-gw";

    [WireName(ErrorMessage = "Gateway:Site must match " + WireNames.NameRule + " (PROTOCOL §1).")]
    public string Site { get; set; } = "sim-ward";

    [Required(ErrorMessage = "Gateway:DataDirectory must not be empty.")]
    public string DataDirectory { get; set; } = "./data";

    /// <summary>Empty means <c>&lt;DataDirectory&gt;/gateway.key</c>, generated with mode 0600 on first start.</summary>
    public string? KeyFile { get; set; }

    /// <summary>
    /// The key encrypting the outbox and the twin store. Empty means <c>&lt;DataDirectory&gt;/storage.key</c>,
    /// generated with mode 0600 on first start; a configured file must exist (docs/operations.md).
    /// </summary>
    public string? StorageKeyFile { get; set; }

    /// <summary>
    /// A JSON settings file (a device profile, e.g. /etc/edgetwin/devices.json) layered over appsettings.json
    /// and under environment variables and the command line; read once at start (<c>GatewayHost</c>).
    /// </summary>
    public string? SettingsFile { get; set; }

    /// <summary>
    /// The bearer token for <c>/twin</c> and <c>POST /twin/bindings</c> (mode 0600). Empty means
    /// <c>&lt;DataDirectory&gt;/admin-token</c>; a missing file is made with a random token at start.
    /// </summary>
    public string? AdminTokenFile { get; set; }

    /// <summary>
    /// How long after the gateway's services have started the pages only start-up read are given back
    /// to the kernel (<c>ResidentPages</c>: the read-only file mappings, paged out once; docs/operations.md).
    /// <c>00:00:00</c> never.
    /// </summary>
    [TimeSpanRange("00:00:00", "1.00:00:00")]
    public TimeSpan ReleaseStartupPagesAfter { get; set; } = TimeSpan.FromSeconds(30);

    public string DataDirectoryFullPath => Path.GetFullPath(DataDirectory);

    public string KeyFileFullPath =>
        string.IsNullOrWhiteSpace(KeyFile) ? Path.Combine(DataDirectoryFullPath, "gateway.key") : Path.GetFullPath(KeyFile);

    /// <summary>True when the operator named a key file: then it must exist, nothing is generated.</summary>
    public bool KeyFileConfigured => !string.IsNullOrWhiteSpace(KeyFile);

    public string StorageKeyFileFullPath =>
        string.IsNullOrWhiteSpace(StorageKeyFile) ? Path.Combine(DataDirectoryFullPath, "storage.key") : Path.GetFullPath(StorageKeyFile);

    /// <summary>True when the operator named a storage key file: then it must exist, nothing is generated.</summary>
    public bool StorageKeyFileConfigured => !string.IsNullOrWhiteSpace(StorageKeyFile);

    public string AdminTokenFileFullPath =>
        string.IsNullOrWhiteSpace(AdminTokenFile) ? Path.Combine(DataDirectoryFullPath, "admin-token") : Path.GetFullPath(AdminTokenFile);
}
