namespace EdgeTwin.Gateway.Tests.Footprint;

using EdgeTwin.Bench.Gateway;

/// <summary><c>gateway-footprint</c>'s arguments (bench/EdgeTwin.Bench/Gateway): a bad one is refused before anything starts.</summary>
public sealed class FootprintArgumentsTests
{
    [Theory]
    [InlineData("80M", 83_886_080)]
    [InlineData("80m", 83_886_080)]
    [InlineData("80MiB", 83_886_080)]
    [InlineData(" 64M ", 67_108_864)]
    [InlineData("20480K", 20_971_520)]
    [InlineData("1G", 1_073_741_824)]
    [InlineData("83886080", 83_886_080)]
    [InlineData("83886080B", 83_886_080)]
    public void MemoryLimit_BinaryUnitsAsCgroupsReadThem_GivesBytes(string text, long bytes) =>
        Assert.Equal(bytes, MemoryLimit.Parse(text));

    [Theory]
    [InlineData("", "is not a size")]
    [InlineData("M", "is not a size")]
    [InlineData("-80M", "is not a size")]
    [InlineData("80X", "unknown unit 'X'")]
    [InlineData("1.5G", "unknown unit '.5G'")]
    [InlineData("80 MB", "unknown unit ' MB'")]
    [InlineData("8M", "below 16 MiB")]
    [InlineData("0", "below 16 MiB")]
    [InlineData("99999999999999999999", "too large")]
    [InlineData("9000000000G", "too large")]
    public void MemoryLimit_NotASize_IsRefusedNamingWhy(string text, string why)
    {
        var error = Assert.Throws<FormatException>(() => MemoryLimit.Parse(text));
        Assert.Contains(why, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MemoryLimit_List_KeepsTheGivenOrder() =>
        Assert.Equal([83_886_080L, 67_108_864L, 50_331_648L], MemoryLimit.ParseList("80M,64M,48M"));

    [Theory]
    [InlineData("80M,,64M", "is not a size")]
    [InlineData("80M,83886080", "given twice")]
    public void MemoryLimit_ListWithAnEmptyOrRepeatedItem_IsRefused(string text, string why)
    {
        var error = Assert.Throws<FormatException>(() => MemoryLimit.ParseList(text));
        Assert.Contains(why, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(83_886_080L, "80M")]
    [InlineData(83_886_081L, "83886081")]
    public void MemoryLimit_Format_WholeMiBAsM_ElseBytes(long bytes, string text) =>
        Assert.Equal(text, MemoryLimit.Format(bytes));

    [Fact]
    public void Options_NoArguments_AreTodaysDefaults_WithoutALimit()
    {
        var options = FootprintOptions.Parse([]);

        Assert.Equal((16, 30, 10, (string?)null, 1), (options.Beds, options.Seconds, options.WindowFrom, options.Exe, options.Repeat));
        Assert.Empty(options.Limits);
    }

    [Fact]
    public void Options_AllGiven_AreTaken()
    {
        var options = FootprintOptions.Parse(["--exe", "/tmp/aot/EdgeTwin.Gateway", "--memory-limit", "80M,56M", "--seconds", "60", "--window-from", "20", "--repeat", "3", "--beds", "8"]);

        Assert.Equal((8, 60, 20, "/tmp/aot/EdgeTwin.Gateway", 3), (options.Beds, options.Seconds, options.WindowFrom, options.Exe, options.Repeat));
        Assert.Equal([83_886_080L, 58_720_256L], options.Limits);
    }

    [Theory]
    [InlineData(new[] { "--memory", "80M" }, "unknown argument '--memory'")]
    [InlineData(new[] { "--memory-limit" }, "--memory-limit needs a value")]
    [InlineData(new[] { "--memory-limit", "--exe", "x" }, "--memory-limit needs a value")]
    [InlineData(new[] { "--memory-limit", "80Q" }, "unknown unit 'Q'")]
    [InlineData(new[] { "--memory-limit", "80M", "--memory-limit", "64M" }, "--memory-limit is given twice")]
    [InlineData(new[] { "--seconds", "0" }, "--seconds '0' is not a whole number above 0")]
    [InlineData(new[] { "--repeat", "two" }, "--repeat 'two' is not a whole number above 0")]
    [InlineData(new[] { "--seconds", "10" }, "--window-from 10 must be before --seconds 10")]
    public void Options_Bad_AreRefusedNamingTheArgument(string[] args, string why)
    {
        var error = Assert.Throws<FormatException>(() => FootprintOptions.Parse(args));
        Assert.Contains(why, error.Message, StringComparison.Ordinal);
    }
}
