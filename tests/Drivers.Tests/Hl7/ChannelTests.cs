namespace EdgeTwin.Drivers.Tests.Hl7;

using EdgeTwin.Drivers.Hl7;
using EdgeTwin.Drivers.Model;
using EdgeTwin.Hl7v2;

/// <summary>OBX-4 sub-ids as channels: several channels of one quantity never become conflicting samples of one stream.</summary>
public class ChannelTests
{
    private static OruContent Read(params string[] observations) =>
        OruReader.Read(Hl7Message.Parse(Hl7Samples.Oru("M-1", observations)), "mon-1", Hl7Samples.Berlin);

    private static string SpO2(int setId, string subId, string value, string time = "20260701120005+0200") =>
        $"OBX|{setId}|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|{subId}|{value}|262688^MDC_DIM_PERCENT^MDC|||||F|||{time}";

    [Theory]
    [InlineData("1.3.1", "1.3.2")]
    [InlineData("1.3.2", "1.3.1")]
    [InlineData("1.3.1.150456", "1.3.2.150456")]
    [InlineData("1.9.1", "1.10.1")]
    public void TwoChannelsOfSpO2_AtOneInstant_GiveOneSample_FromTheLowestSubId(string first, string second)
    {
        var content = Read(SpO2(1, first, "97"), SpO2(2, second, "96"));
        var primaryIsFirst = Channels.Compare(first, second) < 0;

        var sample = Assert.Single(content.Samples);
        Assert.Equal(StreamCodes.SpO2, sample.Stream);
        Assert.Equal(primaryIsFirst ? 97 : 96, sample.Value);
        var skipped = Assert.Single(content.Skipped);
        Assert.Equal(primaryIsFirst ? 2 : 1, skipped.SetId);
        Assert.Contains($"channel {(primaryIsFirst ? second : first)} not used, channel {(primaryIsFirst ? first : second)}", skipped.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void SubIdOrder_IsNumericLevelByLevel_EmptyLast()
    {
        Assert.True(Channels.Compare("1.3.1", "1.3.2") < 0);
        Assert.True(Channels.Compare("1.10.1", "1.9.1") > 0);
        Assert.True(Channels.Compare("1.3", "1.3.1") < 0);
        Assert.True(Channels.Compare("", "9.9.9") > 0);
        Assert.Equal(0, Channels.Compare("1.3.1", "1.3.1"));
    }

    [Fact]
    public void PrimaryChannelInvalid_IsKeptAsNull_TheOtherChannelIsNotSwappedIn()
    {
        var content = Read(SpO2(1, "1.3.1", ""), SpO2(2, "1.3.2", "96"));

        Assert.Null(Assert.Single(content.Samples).Value);
        Assert.Equal(2, Assert.Single(content.Skipped).SetId);
    }

    [Fact]
    public void OneChannel_AtTwoInstants_GivesTwoSamples()
    {
        var content = Read(SpO2(1, "1.3.1", "97", "20260701120005+0200"), SpO2(2, "1.3.1", "95", "20260701120105+0200"));

        Assert.Equal([97.0, 95.0], content.Samples.Select(s => s.Value!.Value));
        Assert.Empty(content.Skipped);
    }

    [Fact]
    public void TwoCodesOfOneStream_InOneMessage_GiveOneSample_TheOtherSaidWhy()
    {
        var content = Read(
            "OBX|1|NM|151562^MDC_RESP_RATE^MDC|1.1.1.151562|16|264928^MDC_DIM_RESP_PER_MIN^MDC|||||F|||20260701120005+0200",
            "OBX|2|NM|151578^MDC_TTHOR_RESP_RATE^MDC|1.1.1.151578|17|264928^MDC_DIM_RESP_PER_MIN^MDC|||||F|||20260701120005+0200");

        Assert.Equal(16, Assert.Single(content.Samples).Value);
        Assert.Contains("(OBX 1) is the primary", Assert.Single(content.Skipped).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ChannelsOfDifferentStreams_DoNotCompete()
    {
        var content = Read(
            SpO2(1, "1.3.1", "97"),
            "OBX|2|NM|149530^MDC_PULS_OXIM_PULS_RATE^MDC|1.3.1|71|264864^MDC_DIM_BEAT_PER_MIN^MDC|||||F|||20260701120005+0200",
            "OBX|3|NM|147842^MDC_ECG_HEART_RATE^MDC|1.1.1|72|264864^MDC_DIM_BEAT_PER_MIN^MDC|||||F|||20260701120005+0200");

        Assert.Equal(3, content.Samples.Count);
        Assert.Empty(content.Skipped);
    }
}
