namespace EdgeTwin.Gateway.Tests.Pipeline;

using EdgeTwin.Drivers.Model;
using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Gateway.Pipeline;

public sealed class QuantumTableTests
{
    [Fact]
    public void Defaults_GiveTheDocumentedQuanta()
    {
        var table = QuantumTable.Build([]);
        Assert.Equal(["1", "1", "0.01", "0.001", "0.0001"], new[] { StreamCodes.HeartRate, StreamCodes.SpO2, StreamCodes.BodyTemperature, StreamCodes.EcgLeadII, StreamCodes.Pleth }
            .Select(c => table.TryGet(c.Code, out var q) ? q.Text : "none"));
        Assert.False(table.TryGet(StreamCodes.GlucoseBloodMass.Code, out _));
    }

    [Fact]
    public void Overrides_ReplaceAddAndRemove_InOrder()
    {
        var table = QuantumTable.Build(["loinc:8310-5=0.1", "loinc:2339-0=1", "mdc:131330=", "loinc:2339-0=0.5"]);
        Assert.True(table.TryGet("loinc:8310-5", out var temp));
        Assert.Equal("0.1", temp.Text);
        Assert.True(table.TryGet("loinc:2339-0", out var glucose));
        Assert.Equal("0.5", glucose.Text);
        Assert.False(table.TryGet("mdc:131330", out _));
    }

    [Fact]
    public void AStatedResolution_WinsOverTheTable_UnlessTheSettingsTakeTheCodeOut()
    {
        var table = QuantumTable.Build(["mdc:131330=0.01", "loinc:8310-5="]);

        // Finer or coarser than the table's entry, the driver's own step is used: no sample rounded coarser than its source.
        Assert.True(table.TryGet(StreamCodes.EcgLeadII.AtResolution("0.0001"), out var fine));
        Assert.Equal("0.0001", fine.Text);
        Assert.True(table.TryGet(StreamCodes.Pleth.AtResolution("0.001"), out var pleth));
        Assert.Equal("0.001", pleth.Text);
        Assert.True(table.TryGet(StreamCodes.GlucoseBloodMass.AtResolution("1"), out var glucose));
        Assert.Equal("1", glucose.Text);
        Assert.True(table.TryGet(StreamCodes.EcgLeadII, out var setting));
        Assert.Equal("0.01", setting.Text);
        Assert.False(table.TryGet(StreamCodes.BodyTemperature.AtResolution("0.01"), out _));
        Assert.False(table.TryGet(StreamCodes.GlucoseBloodMass, out _));
    }

    [Theory]
    [InlineData("loinc:8310-5")]
    [InlineData("=1")]
    [InlineData("loinc:8310-5=0")]
    [InlineData("loinc:8310-5=1e-3")]
    [InlineData("loinc:8310-5=0.0000001")]
    public void Validator_RefusesAQuantaEntryThatDoesNotRead(string entry)
    {
        var result = new RecorderOptionsValidator().Validate(null, new RecorderOptions { Quanta = [entry] });
        Assert.True(result.Failed);
        Assert.Contains("Recorder:Quanta", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validator_RefusesAnIntervalOverAMinute_AndTakesTheDefaults()
    {
        Assert.True(new RecorderOptionsValidator().Validate(null, new RecorderOptions { VitalsInterval = TimeSpan.FromMinutes(2) }).Failed);
        Assert.True(new RecorderOptionsValidator().Validate(null, new RecorderOptions()).Succeeded);
    }
}
