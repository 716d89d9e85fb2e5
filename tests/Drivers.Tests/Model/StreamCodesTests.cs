namespace EdgeTwin.Drivers.Tests.Model;

using EdgeTwin.Drivers.Model;

public class StreamCodesTests
{
    [Theory]
    [InlineData("loinc:8867-4", "/min", StreamKind.Vital)]
    [InlineData("loinc:9279-1", "/min", StreamKind.Vital)]
    [InlineData("loinc:59408-5", "%", StreamKind.Vital)]
    [InlineData("loinc:8310-5", "Cel", StreamKind.Vital)]
    [InlineData("loinc:8480-6", "mm[Hg]", StreamKind.Vital)]
    [InlineData("loinc:8462-4", "mm[Hg]", StreamKind.Vital)]
    [InlineData("loinc:80288-4", "{score}", StreamKind.Vital)]
    [InlineData("loinc:3150-0", "{flag}", StreamKind.Vital)]
    [InlineData("mdc:131330", "mV", StreamKind.Waveform)]
    [InlineData("mdc:150452", "{ratio}", StreamKind.Waveform)]
    [InlineData("loinc:29463-7", "kg", StreamKind.Vital)]
    [InlineData("loinc:8889-8", "/min", StreamKind.Vital)]
    [InlineData("loinc:76477-9", "/min", StreamKind.Vital)]
    [InlineData("loinc:8478-0", "mm[Hg]", StreamKind.Vital)]
    [InlineData("loinc:76172-6", "/min", StreamKind.Vital)]
    [InlineData("loinc:76171-8", "/min", StreamKind.Vital)]
    [InlineData("loinc:76170-0", "/min", StreamKind.Vital)]
    [InlineData("loinc:76174-2", "/min", StreamKind.Vital)]
    [InlineData("loinc:41653-7", "mg/dL", StreamKind.Vital)]
    [InlineData("loinc:14743-9", "mmol/L", StreamKind.Vital)]
    [InlineData("loinc:2339-0", "mg/dL", StreamKind.Vital)]
    [InlineData("loinc:15074-8", "mmol/L", StreamKind.Vital)]
    [InlineData("loinc:4548-4", "%", StreamKind.Vital)]
    public void Catalog_HasTheTeamContractCode_WithItsUnit(string code, string unit, StreamKind kind)
    {
        Assert.True(StreamCodes.TryFind(code, out var stream));
        Assert.Equal(unit, stream.Unit);
        Assert.Equal(kind, stream.Kind);
    }

    [Fact]
    public void Catalog_CodesAreUnique_AndUnknownIsNotFound()
    {
        Assert.Equal(25, StreamCodes.All.Select(s => s.Code).Distinct().Count());
        Assert.False(StreamCodes.TryFind("loinc:0000-0", out _));
    }

    [Fact]
    public void AtRate_KeepsCodeAndUnit_RejectsZero()
    {
        var ecg = StreamCodes.EcgLeadII.AtRate(500);
        Assert.Equal(("mdc:131330", "mV", 500.0), (ecg.Code, ecg.Unit, ecg.NominalRateHz));
        Assert.Throws<ArgumentOutOfRangeException>(() => StreamCodes.EcgLeadII.AtRate(0));
    }

    [Theory]
    [InlineData("0.005")]
    [InlineData("1")]
    [InlineData("0.000001")]
    [InlineData("123456789.5")]
    public void AtResolution_TakesAQuantum_AndKeepsTheRest(string step)
    {
        var ecg = StreamCodes.EcgLeadII.AtRate(500).AtResolution(step);
        Assert.Equal(("mdc:131330", "mV", 500.0, step), (ecg.Code, ecg.Unit, ecg.NominalRateHz, ecg.Resolution));
        Assert.Null(StreamCodes.EcgLeadII.Resolution);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("0.000")]
    [InlineData("0.0000001")]
    [InlineData("0.0050")]
    [InlineData("1e-3")]
    [InlineData("-0.005")]
    [InlineData("+1")]
    [InlineData(".5")]
    [InlineData("5.")]
    [InlineData("05")]
    [InlineData("1234567890")]
    [InlineData("0,005")]
    [InlineData(" 1")]
    public void AtResolution_RefusesWhatIsNotAQuantum(string step)
    {
        var ex = Assert.Throws<ArgumentException>(() => StreamCodes.EcgLeadII.AtResolution(step));
        Assert.Contains("is not a resolution", ex.Message, StringComparison.Ordinal);

        // Nor past the extension: the property itself refuses it.
        Assert.Throws<ArgumentException>(() => StreamCodes.EcgLeadII with { Resolution = step });
        Assert.False(StreamCodes.IsResolution(step));
    }
}
