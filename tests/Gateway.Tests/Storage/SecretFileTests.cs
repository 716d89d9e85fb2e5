namespace EdgeTwin.Gateway.Tests.Storage;

using EdgeTwin.Gateway.Tests.Support;
using EdgeTwin.Outbox.Encryption;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public class SecretFileTests
{
    [Fact]
    public void Create_ExistingFile_IsNeverOverwritten_AndNoTemporaryFileStays()
    {
        using var temp = new TempDirectory();
        var path = temp.Sub("k");
        Assert.True(SecretFile.Create(path));
        var first = File.ReadAllText(path);

        Assert.False(SecretFile.Create(path));

        Assert.Equal(first, File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(temp.Path));
        Assert.Equal(SecretFile.KeyBytes, SecretFile.Read(path, "test key").Length);
    }

    [Fact]
    public void Create_LeftoverTemporaryFileWithAWideMode_IsReplaced_AndTheKeyIsOwnerOnly()
    {
        using var temp = new TempDirectory();
        var path = temp.Sub("k");
        var leftover = $"{path}.new-{Environment.ProcessId}";
        File.WriteAllText(leftover, "half");
        File.SetUnixFileMode(leftover, (UnixFileMode)0b110_110_110);

        Assert.True(SecretFile.Create(path));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.False(File.Exists(leftover));
    }
}
