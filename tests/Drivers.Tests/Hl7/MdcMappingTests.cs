namespace EdgeTwin.Drivers.Tests.Hl7;

using EdgeTwin.Drivers.Hl7;
using EdgeTwin.Drivers.Hl7.Nomenclature;
using EdgeTwin.Hl7v2;

/// <summary>
/// The 11073-10101 mapping against codes as published elsewhere: each row below is written by hand
/// from the context-free codes monitors send (IHE PCD-01 examples, HL7 Denmark's IEEE value set),
/// not computed, so a term code typed wrong in the table fails here.
/// </summary>
public class MdcMappingTests
{
    private static OruContent Read(params string[] observations) =>
        OruReader.Read(Hl7Message.Parse(Hl7Samples.Oru("M-1", observations)), "mon-1", Hl7Samples.Berlin);

    [Theory]
    [InlineData("MDC_ECG_HEART_RATE", 147842)]
    [InlineData("MDC_PULS_OXIM_PULS_RATE", 149530)]
    [InlineData("MDC_PULS_RATE_NON_INV", 149546)]
    [InlineData("MDC_PULS_RATE", 149514)]
    [InlineData("MDC_BLD_PULS_RATE_INV", 149522)]
    [InlineData("MDC_PULS_OXIM_SAT_O2", 150456)]
    [InlineData("MDC_RESP_RATE", 151562)]
    [InlineData("MDC_TTHOR_RESP_RATE", 151578)]
    [InlineData("MDC_AWAY_RESP_RATE", 151570)]
    [InlineData("MDC_CO2_RESP_RATE", 151594)]
    [InlineData("MDC_ACOUSTIC_RESP_RATE", 151650)]
    [InlineData("MDC_PULS_OXIM_PLETH_RESP_RATE", 151658)]
    [InlineData("MDC_VENT_RESP_RATE", 151586)]
    [InlineData("MDC_PRESS_CUFF_SYS", 150301)]
    [InlineData("MDC_PRESS_CUFF_DIA", 150302)]
    [InlineData("MDC_PRESS_CUFF_MEAN", 150303)]
    [InlineData("MDC_PRESS_BLD_NONINV_SYS", 150021)]
    [InlineData("MDC_PRESS_BLD_NONINV_DIA", 150022)]
    [InlineData("MDC_PRESS_BLD_NONINV_MEAN", 150023)]
    [InlineData("MDC_PRESS_BLD_ART_SYS", 150033)]
    [InlineData("MDC_TEMP", 150344)]
    [InlineData("MDC_TEMP_BODY", 150364)]
    [InlineData("MDC_TEMP_CORE", 150368)]
    [InlineData("MDC_TEMP_SKIN", 150388)]
    [InlineData("MDC_TEMP_TYMP", 150392)]
    [InlineData("MDC_TEMP_RECT", 188420)]
    [InlineData("MDC_TEMP_ORAL", 188424)]
    [InlineData("MDC_TEMP_EAR", 188428)]
    [InlineData("MDC_TEMP_AXILLA", 188452)]
    public void Term_PartitionAndTermCode_GiveThePublishedContextFreeCode(string referenceId, int code)
    {
        var term = MdcTerms.ByReferenceId(referenceId);

        Assert.NotNull(term);
        Assert.Equal(code, term.Code);
        Assert.Same(term, MdcTerms.ByCode(code));
    }

    [Theory]
    [InlineData("MDC_DIM_PERCENT", 262688)]
    [InlineData("MDC_DIM_BEAT_PER_MIN", 264864)]
    [InlineData("MDC_DIM_RESP_PER_MIN", 264928)]
    [InlineData("MDC_DIM_PER_MIN", 264672)]
    [InlineData("MDC_DIM_MMHG", 266016)]
    [InlineData("MDC_DIM_KILO_PASCAL", 265987)]
    [InlineData("MDC_DIM_DEGC", 268192)]
    [InlineData("MDC_DIM_FAHR", 266560)]
    [InlineData("MDC_DIM_KILO_G", 263875)]
    public void Unit_DimensionTermCode_GivesThePublishedContextFreeCode(string referenceId, int code)
    {
        Assert.Equal(code, Hl7Units.ByReferenceId(referenceId)?.MdcCode);
    }

    [Fact]
    public void Table_HasNoCodeOrReferenceIdTwice()
    {
        Assert.Equal(MdcTerms.All.Count, MdcTerms.All.Select(t => t.Code).Distinct().Count());
        Assert.Equal(MdcTerms.All.Count, MdcTerms.All.Select(t => t.ReferenceId).Distinct().Count());
        Assert.All(MdcTerms.All, t => Assert.True(t.Stream is not null ^ t.NotMapped is not null, t.ReferenceId));
    }

    [Theory]
    [InlineData("147842^MDC_ECG_HEART_RATE^MDC", "264864^MDC_DIM_BEAT_PER_MIN^MDC", "loinc:8867-4")]
    [InlineData("149530^MDC_PULS_OXIM_PULS_RATE^MDC", "264864^MDC_DIM_BEAT_PER_MIN^MDC", "loinc:8889-8")]
    [InlineData("149546^MDC_PULS_RATE_NON_INV^MDC", "264864^MDC_DIM_BEAT_PER_MIN^MDC", "loinc:76477-9")]
    [InlineData("150456^MDC_PULS_OXIM_SAT_O2^MDC", "262688^MDC_DIM_PERCENT^MDC", "loinc:59408-5")]
    [InlineData("151562^MDC_RESP_RATE^MDC", "264928^MDC_DIM_RESP_PER_MIN^MDC", "loinc:9279-1")]
    [InlineData("151578^MDC_TTHOR_RESP_RATE^MDC", "264928^MDC_DIM_RESP_PER_MIN^MDC", "loinc:9279-1")]
    [InlineData("151594^MDC_CO2_RESP_RATE^MDC", "264928^MDC_DIM_RESP_PER_MIN^MDC", "loinc:76172-6")]
    [InlineData("151570^MDC_AWAY_RESP_RATE^MDC", "264928^MDC_DIM_RESP_PER_MIN^MDC", "loinc:76171-8")]
    [InlineData("151650^MDC_ACOUSTIC_RESP_RATE^MDC", "264928^MDC_DIM_RESP_PER_MIN^MDC", "loinc:76170-0")]
    [InlineData("151658^MDC_PULS_OXIM_PLETH_RESP_RATE^MDC", "264928^MDC_DIM_RESP_PER_MIN^MDC", "loinc:76174-2")]
    [InlineData("150301^MDC_PRESS_CUFF_SYS^MDC", "266016^MDC_DIM_MMHG^MDC", "loinc:8480-6")]
    [InlineData("150302^MDC_PRESS_CUFF_DIA^MDC", "266016^MDC_DIM_MMHG^MDC", "loinc:8462-4")]
    [InlineData("150303^MDC_PRESS_CUFF_MEAN^MDC", "266016^MDC_DIM_MMHG^MDC", "loinc:8478-0")]
    [InlineData("150021^MDC_PRESS_BLD_NONINV_SYS^MDC", "266016^MDC_DIM_MMHG^MDC", "loinc:8480-6")]
    [InlineData("150022^MDC_PRESS_BLD_NONINV_DIA^MDC", "266016^MDC_DIM_MMHG^MDC", "loinc:8462-4")]
    [InlineData("150023^MDC_PRESS_BLD_NONINV_MEAN^MDC", "266016^MDC_DIM_MMHG^MDC", "loinc:8478-0")]
    [InlineData("150344^MDC_TEMP^MDC", "268192^MDC_DIM_DEGC^MDC", "loinc:8310-5")]
    [InlineData("150364^MDC_TEMP_BODY^MDC", "268192^MDC_DIM_DEGC^MDC", "loinc:8310-5")]
    [InlineData("150368^MDC_TEMP_CORE^MDC", "268192^MDC_DIM_DEGC^MDC", "loinc:8310-5")]
    [InlineData("150392^MDC_TEMP_TYMP^MDC", "268192^MDC_DIM_DEGC^MDC", "loinc:8310-5")]
    [InlineData("188420^MDC_TEMP_RECT^MDC", "268192^MDC_DIM_DEGC^MDC", "loinc:8310-5")]
    [InlineData("188424^MDC_TEMP_ORAL^MDC", "268192^MDC_DIM_DEGC^MDC", "loinc:8310-5")]
    [InlineData("188428^MDC_TEMP_EAR^MDC", "268192^MDC_DIM_DEGC^MDC", "loinc:8310-5")]
    [InlineData("188452^MDC_TEMP_AXILLA^MDC", "268192^MDC_DIM_DEGC^MDC", "loinc:8310-5")]
    public void EachFormAMonitorSends_MapsToItsStream_WithoutDisagreement(string code, string unit, string stream)
    {
        var value = unit.Contains("PERCENT", StringComparison.Ordinal) ? 96 : unit.Contains("DEGC", StringComparison.Ordinal) ? 37 : unit.Contains("MMHG", StringComparison.Ordinal) ? 120 : 30;
        var content = Read(Hl7Samples.Obx(code, value.ToString(System.Globalization.CultureInfo.InvariantCulture), unit));

        Assert.Empty(content.Skipped);
        Assert.Empty(content.Disagreements);
        var sample = Assert.Single(content.Samples);
        Assert.Equal((stream, (double)value), (sample.Stream.Code, sample.Value!.Value));
    }

    [Theory]
    [InlineData("150301^MDC_PRESS_BLD_NONINV_SYS^MDC", "120", "266016^MDC_DIM_MMHG^MDC", "loinc:8480-6")]  // the cuff code with the generic NIBP reference id
    [InlineData("150021^MDC_PRESS_CUFF_SYS^MDC", "120", "266016^MDC_DIM_MMHG^MDC", "loinc:8480-6")]
    [InlineData("151578^MDC_RESP_RATE^MDC", "16", "264928^MDC_DIM_RESP_PER_MIN^MDC", "loinc:9279-1")]
    [InlineData("150364^MDC_TEMP^MDC", "37", "268192^MDC_DIM_DEGC^MDC", "loinc:8310-5")]
    [InlineData("150456^MDC_PULS_OXIM_SAT_O2_CTS^MDC", "96", "262688^MDC_DIM_PERCENT^MDC", "loinc:59408-5")] // a reference id not in our table
    public void ReferenceIdDisagreeing_OnTheSameQuantity_TheCodeDecides_AndItIsCounted(string code, string value, string unit, string stream)
    {
        var content = Read(Hl7Samples.Obx(code, value, unit));

        Assert.Equal(stream, Assert.Single(content.Samples).Stream.Code);
        var disagreement = Assert.Single(content.Disagreements);
        Assert.Contains(code.Split('^')[1], disagreement.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("150456^SpO2^MDC")]
    [InlineData("150456^^MDC")]
    [InlineData("150456^Pulsoximetrie SpO2^99MDC")]
    public void TextThatIsNoReferenceId_IsNoDisagreement(string code)
    {
        var content = Read(Hl7Samples.Obx(code, "96", "%"));

        Assert.Single(content.Samples);
        Assert.Empty(content.Disagreements);
    }

    [Theory]
    [InlineData("147842^MDC_PULS_OXIM_PULS_RATE^MDC", "another quantity")]  // ECG code, oximeter reference id: two streams
    [InlineData("150301^MDC_PRESS_CUFF_DIA^MDC", "another quantity")]
    [InlineData("150456^MDC_TEMP^MDC", "another quantity")]
    [InlineData("150031^MDC_PRESS_CUFF_SYS^MDC", "whose code is 150301: the code decides")] // a code typed wrong, seen in the wild
    public void ReferenceIdOfAnotherQuantity_OrAnUnknownCode_IsSkipped_WithWhy(string code, string reason)
    {
        var content = Read(Hl7Samples.Obx(code, "96", "%"));

        Assert.Empty(content.Samples);
        Assert.Contains(reason, Assert.Single(content.Skipped).Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("147842^MDC_ECG_HEART_RATE^MDC", "264928^MDC_DIM_RESP_PER_MIN^MDC", "counts breaths, not beats")]
    [InlineData("151562^MDC_RESP_RATE^MDC", "264864^MDC_DIM_BEAT_PER_MIN^MDC", "counts beats, not breaths")]
    [InlineData("151562^MDC_RESP_RATE^MDC", "bpm", "counts beats, not breaths")]
    [InlineData("150456^MDC_PULS_OXIM_SAT_O2^MDC", "264864^MDC_DIM_PERCENT^MDC", "contradictory unit")]
    [InlineData("150456^MDC_PULS_OXIM_SAT_O2^MDC", "262689^MDC_DIM_PERCENT^MDC", "no MDC_DIM code known here")]
    public void UnitForAnotherQuantity_OrContradicting_IsRefused(string code, string unit, string reason)
    {
        Assert.Contains(reason, Assert.Single(Read(Hl7Samples.Obx(code, "30", unit)).Skipped).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void UnitCode_WithAReferenceIdNotInOurTable_TheCodeDecides_AndItIsCounted()
    {
        var content = Read(Hl7Samples.Obx("150456^MDC_PULS_OXIM_SAT_O2^MDC", "96", "262688^MDC_DIM_PCT^MDC"));

        Assert.Equal(96, Assert.Single(content.Samples).Value);
        Assert.Contains("OBX-6", Assert.Single(content.Disagreements).Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("147842^MDC_ECG_HEART_RATE^MDC", "bpm", 72, 72)]
    [InlineData("147842^MDC_ECG_HEART_RATE^MDC", "BPM", 72, 72)]
    [InlineData("151562^MDC_RESP_RATE^MDC", "rpm", 18, 18)]
    [InlineData("151562^MDC_RESP_RATE^MDC", "/min", 18, 18)]
    [InlineData("150301^MDC_PRESS_CUFF_SYS^MDC", "mmHg", 118, 118)]
    [InlineData("150344^MDC_TEMP^MDC", "degC", 37.1, 37.1)]
    [InlineData("150344^MDC_TEMP^MDC", "F", 99.5, 37.5)]
    [InlineData("150456^MDC_PULS_OXIM_SAT_O2^MDC", "%", 95, 95)]
    public void PlainUnitsOfOlderFeeds_AreRead(string code, string unit, double value, double expected)
    {
        var sample = Assert.Single(Read(Hl7Samples.Obx(code, value.ToString(System.Globalization.CultureInfo.InvariantCulture), unit)).Samples);

        Assert.Equal(expected, sample.Value!.Value, 6);
    }

    [Fact]
    public void DeviceHierarchyRows_AreNoObservations_NorSkipped_ButCounted()
    {
        var content = Read(
            "OBX|1||69965^MDC_DEV_MON_PHYSIO_MULTI_PARAM_MDS^MDC|1.0.0.0|||||||X",
            "OBX|2||69642^MDC_DEV_ANALY_SAT_O2_VMD^MDC|1.3.0.0|||||||X",
            "OBX|3||69643^MDC_DEV_ANALY_SAT_O2_CHAN^MDC|1.3.1.0|||||||X",
            "OBX|4|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.3.1.150456|97|262688^MDC_DIM_PERCENT^MDC|||||F|||20260701120005+0200");

        Assert.Equal(97, Assert.Single(content.Samples).Value);
        Assert.Empty(content.Skipped);
        Assert.Equal(3, content.DescriptionRows);
    }

    [Theory]
    [InlineData("80288-4^Level of consciousness^LN", "0", "{score}", "loinc:80288-4", 0.0)]
    [InlineData("80288-4^Level of consciousness^LN", "2", "{score}", "loinc:80288-4", 2.0)]
    [InlineData("3150-0^Supplemental oxygen^LN", "1", "{flag}", "loinc:3150-0", 1.0)]
    public void NurseEntries_AcvpuAndOxygen_AsLoinc_AreRead(string code, string value, string unit, string stream, double expected)
    {
        var sample = Assert.Single(Read(Hl7Samples.Obx(code, value, unit)).Samples);

        Assert.Equal((stream, expected), (sample.Stream.Code, sample.Value!.Value));
    }

    [Theory]
    [InlineData("80288-4^Level of consciousness^LN", "2.5", "{score}")]
    [InlineData("80288-4^Level of consciousness^LN", "5", "{score}")]
    [InlineData("3150-0^Supplemental oxygen^LN", "2", "{flag}")]
    public void NurseEntries_NotAWholeScore_AreInvalid_AndCounted(string code, string value, string unit)
    {
        var content = Read(Hl7Samples.Obx(code, value, unit));

        Assert.Null(Assert.Single(content.Samples).Value);
        Assert.Equal(1, content.ImplausibleCount);
    }

    [Fact]
    public void InhaledOxygenConcentrationInPercent_IsNotTakenForTheOxygenFlag()
    {
        Assert.Contains("is not {flag}", Assert.Single(Read(Hl7Samples.Obx("3150-0^Inhaled oxygen concentration^LN", "28", "%")).Skipped).Reason, StringComparison.Ordinal);
    }
}
