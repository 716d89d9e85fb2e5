namespace EdgeTwin.Ingest.Tests.Identity;

using EdgeTwin.Ingest.Identity;
using EdgeTwin.Ingest.Options;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class IngestIdentityTests
{
    [Fact]
    public void FirstStart_CreatesIngestKeyInTheStorageDirectory0600_TheNextStartReusesIt()
    {
        var dir = Directory.CreateTempSubdirectory("edgetwin-ingest-key-").FullName;
        try
        {
            var options = Options.Create(new IngestOptions { Storage = $"litedb:{dir}" });
            string first;
            using (var identity = new IngestIdentity(options, NullLogger<IngestIdentity>.Instance))
            {
                first = identity.Address;
                Assert.Equal(Path.Combine(dir, "ingest.key"), identity.KeyFile);
            }

            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(dir, "ingest.key")));
            using var again = new IngestIdentity(options, NullLogger<IngestIdentity>.Instance);
            Assert.Equal(first, again.Address);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void KeyFileReadableByOthers_StopsTheStartNamingTheSetting()
    {
        var dir = Directory.CreateTempSubdirectory("edgetwin-ingest-key-").FullName;
        try
        {
            var path = Path.Combine(dir, "shared.key");
            File.WriteAllText(path, "0x" + new string('4', 64) + "\n");
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

            var ex = Assert.Throws<OptionsValidationException>(() => new IngestIdentity(Options.Create(new IngestOptions { KeyFile = path }), NullLogger<IngestIdentity>.Instance));

            Assert.Contains("Ingest:KeyFile", ex.Message, StringComparison.Ordinal);
            Assert.Contains("chmod 600", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Start_InstallsNativeLibsecp256k1_AndSaysSo()
    {
        var dir = Directory.CreateTempSubdirectory("edgetwin-ingest-key-").FullName;
        try
        {
            var logger = new Microsoft.Extensions.Logging.Testing.FakeLogger<IngestIdentity>();
            using var identity = new IngestIdentity(Options.Create(new IngestOptions { Storage = $"litedb:{dir}" }), logger);

            Assert.Same(NativeSecp256k1.Instance, EdgeTwin.Telemetry.Signing.Secp256k1Accelerator.Current);
            var line = Assert.Single(logger.Collector.GetSnapshot(), r => r.Id.Id == 7017);
            Assert.Equal("Signatures: recovered and made through libsecp256k1 (native, Secp256k1.Net)", line.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
