namespace EdgeTwin.Drivers.Tests.Hl7;

using EdgeTwin.Drivers.Hl7;
using EdgeTwin.Drivers.Model;
using EdgeTwin.Hl7v2;

public class OruReaderTests
{
    private static readonly DateTimeOffset ObxTime = new(2026, 7, 1, 12, 0, 5, TimeSpan.FromHours(2));

    private static OruContent Read(params string[] observations) =>
        OruReader.Read(Hl7Message.Parse(Hl7Samples.Oru("M-1", observations)), "mon-1", Hl7Samples.Berlin);

    private static Sample One(string observation)
    {
        var content = Read(observation);
        Assert.Empty(content.Skipped);
        return Assert.Single(content.Samples);
    }

    private static string OneSkipped(string observation)
    {
        var content = Read(observation);
        Assert.Empty(content.Samples);
        return Assert.Single(content.Skipped).Reason;
    }

    [Fact]
    public void MultipleObx_GiveOneSampleEach_InOrder_WithStreamValueAndTime()
    {
        var content = Read(
            Hl7Samples.HeartRate72,
            Hl7Samples.SpO2Of97,
            Hl7Samples.Obx("151562^MDC_RESP_RATE^MDC", "16", "264928^MDC_DIM_RESP_PER_MIN^MDC"),
            Hl7Samples.Obx("150344^MDC_TEMP^MDC", "37.2", "268192^MDC_DIM_DEGC^MDC"),
            Hl7Samples.Obx("150301^MDC_PRESS_CUFF_SYS^MDC", "121", "266016^MDC_DIM_MMHG^MDC"),
            Hl7Samples.Obx("150302^MDC_PRESS_CUFF_DIA^MDC", "79", "266016^MDC_DIM_MMHG^MDC"));

        Assert.Empty(content.Skipped);
        Assert.Equal(
            [
                (StreamCodes.HeartRate.Code, 72.0), (StreamCodes.SpO2.Code, 97), (StreamCodes.RespiratoryRate.Code, 16),
                (StreamCodes.BodyTemperature.Code, 37.2), (StreamCodes.SystolicBp.Code, 121), (StreamCodes.DiastolicBp.Code, 79),
            ],
            content.Samples.Select(s => (s.Stream.Code, s.Value!.Value)));
        Assert.All(content.Samples, s => Assert.Equal(ObxTime, s.Timestamp));
        Assert.All(content.Samples, s => Assert.Equal("mon-1", s.DeviceId));
    }

    [Theory]
    [InlineData("8867-4^Heart rate^LN", "/min", "loinc:8867-4")]
    [InlineData("9279-1^Resp rate^LN", "{breaths}/min", "loinc:9279-1")]
    [InlineData("59408-5^SpO2^LN", "%", "loinc:59408-5")]
    [InlineData("8310-5^Body temp^LN", "Cel", "loinc:8310-5")]
    [InlineData("8480-6^Systolic^LN", "mm[Hg]", "loinc:8480-6")]
    [InlineData("8462-4^Diastolic^LN", "mm[Hg]", "loinc:8462-4")]
    [InlineData("150456^MDC_PULS_OXIM_SAT_O2^99MDC", "%", "loinc:59408-5")]
    [InlineData("150364^^MDC", "Cel", "loinc:8310-5")]
    public void Loinc_AndMdc_Codes_MapToOurStreams(string code, string unit, string stream)
    {
        var sample = One(Hl7Samples.Obx(code, "40", unit));

        Assert.Equal(stream, sample.Stream.Code);
    }

    [Theory]
    [InlineData("149514^MDC_PULS_RATE^MDC")]
    [InlineData("150033^MDC_PRESS_BLD_ART_SYS^MDC")]
    [InlineData("150388^MDC_TEMP_SKIN^MDC")]
    [InlineData("151586^MDC_VENT_RESP_RATE^MDC")]
    [InlineData("150999^MDC_SOMETHING_ELSE^MDC")]
    [InlineData("MDC_ECG_HEART_RATE^^MDC")]
    [InlineData("147842^MDC_RESP_RATE^MDC")]
    [InlineData("99999-9^Unknown^LN")]
    [InlineData("8867-4^Heart rate^SCT")]
    [InlineData("")]
    public void UnmappedOrContradictoryCode_IsSkipped_WithItsReason(string code)
    {
        Assert.Contains("not mapped", OneSkipped(Hl7Samples.Obx(code, "72", "/min")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[degF]", 98.6, 37.0)]
    [InlineData("266560^MDC_DIM_FAHR^MDC", 100.4, 38.0)]
    [InlineData("Cel", 36.6, 36.6)]
    public void Temperature_InFahrenheit_IsConvertedToCelsius(string unit, double value, double celsius)
    {
        var sample = One(Hl7Samples.Obx("150344^MDC_TEMP^MDC", value.ToString(System.Globalization.CultureInfo.InvariantCulture), unit));

        Assert.Equal(celsius, sample.Value!.Value, 6);
    }

    [Fact]
    public void Pressure_InKilopascal_IsConvertedToMillimetresOfMercury()
    {
        var sample = One(Hl7Samples.Obx("150301^MDC_PRESS_CUFF_SYS^MDC", "16", "kPa"));

        Assert.Equal(120.01, sample.Value!.Value, 2);
    }

    [Theory]
    [InlineData("147842^MDC_ECG_HEART_RATE^MDC", "266016^MDC_DIM_MMHG^MDC", "is not /min")]
    [InlineData("150456^MDC_PULS_OXIM_SAT_O2^MDC", "{ratio}", "is not %")]
    [InlineData("150344^MDC_TEMP^MDC", "K", "is not Cel")]
    [InlineData("150344^MDC_TEMP^MDC", "", "no unit")]
    public void WrongOrMissingUnit_IsRefused_NotGuessed(string code, string unit, string reason)
    {
        Assert.Contains(reason, OneSkipped(Hl7Samples.Obx(code, "37", unit)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("F")]
    [InlineData("R")]
    [InlineData("C")]
    public void FinalPreliminaryOrCorrected_GiveTheValue(string status)
    {
        Assert.Equal(72, One(Hl7Samples.Obx("147842^MDC_ECG_HEART_RATE^MDC", "72", "/min", status)).Value);
    }

    [Theory]
    [InlineData("X")]
    [InlineData("D")]
    [InlineData("P")]
    [InlineData("")]
    public void OtherStatus_GivesAnInvalidSample_KeptAsNull(string status)
    {
        var sample = One(Hl7Samples.Obx("147842^MDC_ECG_HEART_RATE^MDC", "72", "/min", status));

        Assert.Equal(StreamCodes.HeartRate.Code, sample.Stream.Code);
        Assert.Null(sample.Value);
    }

    [Fact]
    public void EmptyValue_GivesAnInvalidSample()
    {
        Assert.Null(One(Hl7Samples.Obx("147842^MDC_ECG_HEART_RATE^MDC", "", "/min")).Value);
    }

    [Theory]
    [InlineData("150456^MDC_PULS_OXIM_SAT_O2^MDC", "120", "%")]
    [InlineData("150344^MDC_TEMP^MDC", "85", "Cel")]
    [InlineData("147842^MDC_ECG_HEART_RATE^MDC", "0", "/min")]
    public void ImplausibleValue_IsANullSample_AndCounted(string code, string value, string unit)
    {
        var content = Read(Hl7Samples.Obx(code, value, unit));

        Assert.Null(Assert.Single(content.Samples).Value);
        Assert.Equal(1, content.ImplausibleCount);
    }

    [Theory]
    [InlineData("1e2")]
    [InlineData("72,5")]
    [InlineData("72 ")]
    [InlineData("-")]
    [InlineData("7.2.1")]
    [InlineData("<70")]
    public void NotAnHl7Number_IsSkipped(string value)
    {
        Assert.Contains("not an HL7 NM", OneSkipped(Hl7Samples.Obx("147842^MDC_ECG_HEART_RATE^MDC", value, "/min")), StringComparison.Ordinal);
    }

    [Fact]
    public void SignedAndDecimal_NumbersAreRead()
    {
        Assert.Equal(72.5, One(Hl7Samples.Obx("147842^MDC_ECG_HEART_RATE^MDC", "+72.5", "/min")).Value);
        Assert.Equal(72, One(Hl7Samples.Obx("147842^MDC_ECG_HEART_RATE^MDC", "072.", "/min")).Value);
    }

    [Theory]
    [InlineData("ST")]
    [InlineData("CWE")]
    [InlineData("")]
    public void NonNumericValueType_IsSkipped(string type)
    {
        Assert.Contains("is not NM", OneSkipped(Hl7Samples.Obx("147842^MDC_ECG_HEART_RATE^MDC", "72", "/min", type: type)), StringComparison.Ordinal);
    }

    [Fact]
    public void BadEscapeInAnObx_SkipsThatObx_Only()
    {
        var content = Read(Hl7Samples.Obx(@"147842^MDC_ECG_\X41\^MDC", "72", "/min"), Hl7Samples.SpO2Of97);

        Assert.Equal(StreamCodes.SpO2.Code, Assert.Single(content.Samples).Stream.Code);
        Assert.Contains("escape", Assert.Single(content.Skipped).Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("20260701120005+0200", "2026-07-01T10:00:05Z")]
    [InlineData("20260701100005-0000", "2026-07-01T10:00:05Z")]
    [InlineData("20260701053005-0430", "2026-07-01T10:00:05Z")]
    [InlineData("20260701120005.25+0200", "2026-07-01T10:00:05.25Z")]
    [InlineData("202607011200+0200", "2026-07-01T10:00:00Z")]
    [InlineData("20260701120005", "2026-07-01T10:00:05Z")]
    [InlineData("20260115120005", "2026-01-15T11:00:05Z")]
    [InlineData("20261025023000", "2026-10-25T01:30:00Z")]
    public void ObservationTime_WithZone_OrLocalInTheConfiguredZone(string ts, string utc)
    {
        var sample = One(Hl7Samples.Obx("147842^MDC_ECG_HEART_RATE^MDC", "72", "/min", time: ts));

        Assert.Equal(DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture), sample.Timestamp);
        Assert.Equal(TimeSpan.Zero, sample.Timestamp.Offset);
    }

    [Theory]
    [InlineData("20260329023000", "daylight-saving gap")]
    [InlineData("20260701", "not a timestamp")]
    [InlineData("2026070112", "not a timestamp")]
    [InlineData("20261301120000", "not a valid date")]
    [InlineData("20260701120000+1500", "impossible offset")]
    [InlineData("20260701120000Z", "not a timestamp")]
    [InlineData("２０２60701120000", "not a timestamp")]
    public void BadObservationTime_SkipsTheObx_NeverFallsBackSilently(string ts, string reason)
    {
        Assert.Contains(reason, OneSkipped(Hl7Samples.Obx("147842^MDC_ECG_HEART_RATE^MDC", "72", "/min", time: ts)), StringComparison.Ordinal);
    }

    [Fact]
    public void NoObservationTime_TakesObr7_ThenMsh7()
    {
        var withObr = Read(Hl7Samples.Obx("147842^MDC_ECG_HEART_RATE^MDC", "72", "/min", time: ""));
        Assert.Equal(new DateTimeOffset(2026, 7, 1, 10, 0, 0, TimeSpan.Zero), Assert.Single(withObr.Samples).Timestamp);

        var text = Hl7Samples.Header("M-2") + "\rOBR|1\r" + Hl7Samples.Obx("147842^MDC_ECG_HEART_RATE^MDC", "72", "/min", time: "");
        var withMsh = OruReader.Read(Hl7Message.Parse(text), "mon-1", Hl7Samples.Berlin);
        Assert.Equal(new DateTimeOffset(2026, 7, 1, 10, 0, 6, TimeSpan.Zero), Assert.Single(withMsh.Samples).Timestamp);
    }

    [Fact]
    public void ObxBeforeAnyObr_RefusesTheWholeMessage()
    {
        var text = Hl7Samples.Header("M-3") + "\r" + Hl7Samples.HeartRate72 + "\rOBR|1\r";

        var error = Assert.Throws<Hl7FormatException>(() => OruReader.Read(Hl7Message.Parse(text), "mon-1", Hl7Samples.Berlin));
        Assert.Equal(Hl7ErrorCode.SegmentSequenceError, error.ErrorCode);
        Assert.Equal("M-3", error.Header?.Raw(10));
    }

    [Fact]
    public void NoObr_RefusesTheWholeMessage()
    {
        Assert.Throws<Hl7FormatException>(() => OruReader.Read(Hl7Message.Parse(Hl7Samples.Header("M-4") + "\rPID|||1\r"), "mon-1", Hl7Samples.Berlin));
    }

    [Theory]
    [InlineData("")]
    [InlineData("yesterday")]
    public void BadMsh7_RefusesTheWholeMessage(string msh7)
    {
        var text = $"MSH|^~\\&|MON|ICU|ET|BOX|{msh7}||ORU^R01|M-5|P|2.6\rOBR|1\r{Hl7Samples.HeartRate72}\r";

        var error = Assert.Throws<Hl7FormatException>(() => OruReader.Read(Hl7Message.Parse(text), "mon-1", Hl7Samples.Berlin));
        Assert.Equal("MSH^7", error.Location);
    }

    [Fact]
    public void PidIsOptional_AndOtherSegmentsAreIgnored()
    {
        var text = Hl7Samples.Header("M-6") + "\rPV1|1|I|ICU^1^2\rOBR|1\rNTE|1||note\r" + Hl7Samples.HeartRate72 + "\rNTE|2||x\r";

        var content = OruReader.Read(Hl7Message.Parse(text), "mon-1", Hl7Samples.Berlin);

        Assert.Equal(72, Assert.Single(content.Samples).Value);
    }

    [Theory]
    [InlineData(10, 6)]     // the monitor's clock 6 min fast
    [InlineData(10, -25 * 60)] // a day and an hour old
    public void ObservationTimeFarFromTheBoxClock_SkippedWithTheReason(int minute, int offsetMinutes)
    {
        var now = new DateTimeOffset(2026, 7, 1, 10, minute, 0, TimeSpan.Zero);
        var at = now.AddMinutes(offsetMinutes).ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture) + "+0000";
        var text = Hl7Samples.Oru("M-9", [$"OBX|1|NM|147842^MDC_ECG_HEART_RATE^MDC||72|264864^MDC_DIM_BEAT_PER_MIN^MDC|||||F|||{at}"]);

        var content = OruReader.Read(Hl7Message.Parse(text), "mon-1", Hl7Samples.Berlin, now);

        Assert.Empty(content.Samples);
        var skip = Assert.Single(content.Skipped);
        Assert.Contains("box clock", skip.Reason, StringComparison.Ordinal);
        Assert.Single(OruReader.Read(Hl7Message.Parse(text), "mon-1", Hl7Samples.Berlin, now.AddMinutes(offsetMinutes)).Samples);
    }
}
