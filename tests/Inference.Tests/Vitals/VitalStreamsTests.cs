namespace EdgeTwin.Inference.Tests.Vitals;

using EdgeTwin.Drivers.Model;
using EdgeTwin.Inference.Vitals;

public class VitalStreamsTests
{
    [Fact]
    public void Codes_MatchTheDriversCatalogue()
    {
        Assert.Equal(VitalStreams.HeartRate, StreamCodes.HeartRate.Code);
        Assert.Equal(VitalStreams.RespirationRate, StreamCodes.RespiratoryRate.Code);
        Assert.Equal(VitalStreams.SpO2, StreamCodes.SpO2.Code);
        Assert.Equal(VitalStreams.Temperature, StreamCodes.BodyTemperature.Code);
        Assert.Equal(VitalStreams.SystolicBp, StreamCodes.SystolicBp.Code);
        Assert.Equal(VitalStreams.DiastolicBp, StreamCodes.DiastolicBp.Code);
        Assert.Equal(VitalStreams.Consciousness, StreamCodes.Consciousness.Code);
        Assert.Equal(VitalStreams.SupplementalOxygen, StreamCodes.SupplementalO2.Code);
        Assert.Equal(VitalStreams.PulseRateOximetry, StreamCodes.PulseRateOximetry.Code);
        Assert.Equal(VitalStreams.PulseRateNoninvasive, StreamCodes.PulseRateNoninvasive.Code);
        Assert.Equal(VitalStreams.RespirationRateCo2, StreamCodes.RespiratoryRateCo2.Code);
        Assert.Equal(VitalStreams.RespirationRateAirwayFlow, StreamCodes.RespiratoryRateAirwayFlow.Code);
        Assert.Equal(VitalStreams.RespirationRateAcoustic, StreamCodes.RespiratoryRateAcoustic.Code);
        Assert.Equal(VitalStreams.RespirationRatePleth, StreamCodes.RespiratoryRatePleth.Code);
    }

    [Theory]
    [InlineData("loinc:59408-5", 97, true)]
    [InlineData("loinc:59408-5", 100.5, false)]
    [InlineData("loinc:59408-5", 0, false)]
    [InlineData("loinc:8310-5", 24.9, false)]
    [InlineData("loinc:8310-5", 45, true)]
    [InlineData("loinc:3150-0", 1, true)]
    [InlineData("loinc:3150-0", 0.5, false)]
    [InlineData("loinc:80288-4", 4, true)]
    [InlineData("loinc:80288-4", 5, false)]
    [InlineData("mdc:131330", 0.5, false)]
    [InlineData("loinc:8889-8", 96, true)]
    [InlineData("loinc:76477-9", 0, false)]
    [InlineData("loinc:76172-6", 12, true)]
    [InlineData("loinc:76174-2", 101, false)]
    [InlineData("loinc:8478-0", 90, false)]
    public void IsPlausible_RejectsWhatNoPatientCanHave(string code, double value, bool plausible) =>
        Assert.Equal(plausible, VitalStreams.IsPlausible(code, value));
}
