namespace EdgeTwin.Gateway.Tests.Twin;

using EdgeTwin.Gateway.Privacy;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PseudonymizerTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("edgetwin-secret-").FullName;

    [Fact]
    public void Pseudonymize_SameIdAndSecret_GivesSameKeyedHmac()
    {
        var secret = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var pseudonymizer = new Pseudonymizer(SiteSecret.FromBytes(secret));

        var pseudonym = pseudonymizer.Pseudonymize("MRN-000123");

        var expected = "pt-" + Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(secret, "MRN-000123"u8.ToArray()))[..32];
        Assert.Equal(expected, pseudonym);
        Assert.Equal(pseudonym, pseudonymizer.Pseudonymize("MRN-000123"));
        Assert.True(Pseudonymizer.IsPseudonym(pseudonym));
        Assert.DoesNotContain("000123", pseudonym, StringComparison.Ordinal);
    }

    [Fact]
    public void Pseudonymize_OtherSecret_GivesOtherPseudonym()
    {
        var a = new Pseudonymizer(SiteSecret.FromBytes(new byte[32]));
        var b = new Pseudonymizer(SiteSecret.FromBytes(Enumerable.Repeat((byte)1, 32).ToArray()));

        Assert.NotEqual(a.Pseudonymize("MRN-1"), b.Pseudonymize("MRN-1"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("MRN 1")]
    [InlineData("MRN\n1")]
    public void Pseudonymize_BadIdentifier_Throws(string hospitalId)
    {
        var pseudonymizer = new Pseudonymizer(SiteSecret.FromBytes(new byte[32]));

        Assert.Throws<ArgumentException>(() => pseudonymizer.Pseudonymize(hospitalId));
        Assert.Throws<ArgumentException>(() => pseudonymizer.Pseudonymize(new string('x', 65)));
    }

    [Fact]
    public void LoadOrCreate_NoFile_CreatesOwnerOnlySecretAndReusesIt()
    {
        var path = Path.Combine(_directory, "sub", "site-secret");

        var first = SiteSecret.LoadOrCreate(path, out var created);
        var second = SiteSecret.LoadOrCreate(path, out var createdAgain);

        Assert.True(created);
        Assert.False(createdAgain);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(new Pseudonymizer(first).Pseudonymize("MRN-1"), new Pseudonymizer(second).Pseudonymize("MRN-1"));
        Assert.Equal(65, File.ReadAllText(path).Length);
    }

    [Theory]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead)]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead)]
    public void Load_GroupOrOtherMayRead_RefusesAndLeavesFileAsItWas(UnixFileMode mode)
    {
        var path = Path.Combine(_directory, "site-secret");
        var text = new string('a', 64) + "\n";
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, mode);

        var error = Assert.Throws<SiteSecretException>(() => SiteSecret.LoadOrCreate(path, out _));

        Assert.Contains("chmod 600", error.Message, StringComparison.Ordinal);
        Assert.Equal(text, File.ReadAllText(path));
        Assert.Equal(mode, File.GetUnixFileMode(path));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("zz00000000000000000000000000000000000000000000000000000000000000")]
    public void Load_MalformedSecret_RefusesWithReason(string content)
    {
        var path = Path.Combine(_directory, "site-secret");
        File.WriteAllText(path, content);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var error = Assert.Throws<SiteSecretException>(() => SiteSecret.Load(path));

        Assert.Contains("64 hex digits", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
