namespace EdgeTwin.Gateway.Pipeline;

using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using EdgeTwin.Gateway.Configuration;
using Microsoft.Extensions.Options;

/// <summary>
/// Until the twin binds patients, each device stands for one patient, named by a keyed HMAC of
/// the device id: stable on this box, meaningless elsewhere. The 32-byte secret lives in
/// <c>&lt;DataDirectory&gt;/pseudonym.secret</c> (0600), never in the telemetry.
/// </summary>
internal sealed class HmacPatientResolver : IPatientResolver
{
    private readonly byte[] _secret;
    private readonly ConcurrentDictionary<string, string> _cache = new();

    public HmacPatientResolver(IOptions<GatewayOptions> options)
    {
        var path = Path.Combine(options.Value.DataDirectoryFullPath, "pseudonym.secret");
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var secret = RandomNumberGenerator.GetBytes(32);
            var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using var stream = new FileStream(path, fileOptions);
            stream.Write(secret);
            stream.Flush(flushToDisk: true);
        }

        _secret = File.ReadAllBytes(path);
    }

    public string PatientOf(string deviceId) =>
        _cache.GetOrAdd(deviceId, id => "p-" + Convert.ToHexStringLower(HMACSHA256.HashData(_secret, Encoding.UTF8.GetBytes(id)))[..20]);
}
