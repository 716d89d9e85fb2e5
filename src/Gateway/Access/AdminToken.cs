namespace EdgeTwin.Gateway.Access;

using System.Security.Cryptography;
using System.Text;
using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Outbox.Durability;
using EdgeTwin.Outbox.Encryption;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

/// <summary>
/// The bearer token that opens the box's patient data and bedside commands (<c>/twin</c>,
/// <c>POST /twin/bindings</c>, Bluetooth pairing under <c>/ble</c>): 64 hex digits in <c>Gateway:AdminTokenFile</c> (mode 0600), made
/// with a random token at the first start. A file readable by others refuses the start
/// (<c>EnvironmentValidator</c>, exit 78). On a disk too full to write it, it is written again at
/// the next request, and until then every admin request is refused: a token nobody can read must
/// not be in force.
/// </summary>
internal sealed partial class AdminToken(IOptions<GatewayOptions> options, ILogger<AdminToken> logger) : IHostedService
{
    public const string What = "admin token";

    private readonly Lock _gate = new();
    private byte[]? _token;

    public string Path => options.Value.AdminTokenFileFullPath;

    /// <summary>Reads the token, writing a new one first when the file does not exist; false while it cannot be written (full disk).</summary>
    public bool TryLoad()
    {
        lock (_gate)
        {
            if (_token is not null)
            {
                return true;
            }

            try
            {
                if (!File.Exists(Path) && SecretFile.Create(Path))
                {
                    LogCreated(logger, Path);
                }
            }
            catch (IOException ex) when (StorageFaults.IsOutOfSpace(ex))
            {
                LogNotUsable(logger, Path, ex.Message);
                return false;
            }

            try
            {
                _token = Encoding.ASCII.GetBytes(Convert.ToHexStringLower(SecretFile.Read(Path, What)));
                return true;
            }
            catch (SecretFileException ex)
            {
                // Changed behind the running gateway's back (the start checks it).
                LogNotUsable(logger, Path, ex.Message);
                return false;
            }
        }
    }

    /// <summary>Made at the start (after its checks, so a loose file refuses the start instead), for the technician to read before the first request.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        TryLoad();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Whether <paramref name="presented"/> is the token, compared in constant time.</summary>
    public bool Matches(ReadOnlySpan<char> presented)
    {
        if (!TryLoad() || presented.Length > 256)
        {
            return false;
        }

        Span<char> lower = stackalloc char[presented.Length];
        presented.ToLowerInvariant(lower);
        Span<byte> bytes = stackalloc byte[Encoding.UTF8.GetByteCount(lower)];
        Encoding.UTF8.GetBytes(lower, bytes);
        return CryptographicOperations.FixedTimeEquals(bytes, _token);
    }

    [LoggerMessage(1090, LogLevel.Warning, "Generated the admin token in {File} (mode 0600): /twin, POST /twin/bindings and /ble need 'Authorization: Bearer <its content>'")]
    private static partial void LogCreated(ILogger logger, string file);

    [LoggerMessage(1092, LogLevel.Error, "The admin token file {File} cannot be used ({Problem}); admin requests are refused until it can")]
    private static partial void LogNotUsable(ILogger logger, string file, string problem);
}
