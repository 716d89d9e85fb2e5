namespace EdgeTwin.Gateway.Tests.Storage;

using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Gateway.Storage;
using EdgeTwin.Gateway.Tests.Support;

/// <summary>The last stored record read from each device, kept in the data directory across restarts (issue 19).</summary>
public class DeviceCursorFileTests
{
    [Fact]
    public void Cursors_SurviveAReopen_EachDeviceItsOwn_AndNoTemporaryFileStays()
    {
        using var temp = new TempDirectory();
        var path = temp.Sub(DeviceCursorFile.FileName);
        var first = new DeviceCursorFile(path);
        Assert.Null(first.Read("glucose-1/C0:26:DA:01:02:03"));
        first.Write("glucose-1/C0:26:DA:01:02:03", 4);
        first.Write("glucose-2/C0:26:DA:0A:0B:0C", 17);
        first.Write("glucose-1/C0:26:DA:01:02:03", 5);

        var reopened = new DeviceCursorFile(path);

        Assert.Equal(5L, reopened.Read("glucose-1/C0:26:DA:01:02:03"));
        Assert.Equal(17L, reopened.Read("glucose-2/C0:26:DA:0A:0B:0C"));
        Assert.Equal([path], Directory.GetFiles(temp.Path));
    }

    [Theory]
    [InlineData("{\"glucose-1/C0:26:DA:01:02:03\": \"four\"}")]
    [InlineData("[4]")]
    [InlineData("{\"glucose-1/C0:26:DA:01:02:03\": 4")]
    public void AFileThatDoesNotRead_StopsTheStart_NamingItAndLeavingItAsItIs(string content)
    {
        using var temp = new TempDirectory();
        var path = temp.Sub(DeviceCursorFile.FileName);
        File.WriteAllText(path, content);

        var error = Assert.Throws<StartupException>(() => new DeviceCursorFile(path));

        Assert.Equal("Gateway:DataDirectory", error.Setting);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Equal(content, File.ReadAllText(path));
    }
}
