namespace EdgeTwin.Ingest.Tests.AlarmsOut;

using EdgeTwin.Hl7v2;
using EdgeTwin.Ingest.AlarmsOut;

/// <summary>The alarm manager's MLLP ACK of a PCD-04: the codes, the reason, and an ACK of another message refused.</summary>
public sealed class AckAnswerTests
{
    private const string Header = "MSH|^~\\&|AM|HOSP|EDGETWIN|site-a|20261205022000+0000||ACK^R40^ACK|A1|P|2.6\r";

    [Theory]
    [InlineData("AA", AckCode.Accept)]
    [InlineData("CA", AckCode.Accept)]
    [InlineData("AE", AckCode.Error)]
    [InlineData("CE", AckCode.Error)]
    [InlineData("AR", AckCode.Reject)]
    [InlineData("CR", AckCode.Reject)]
    public void Read_Msa1_GivesTheCode(string msa1, AckCode code) =>
        Assert.Equal(code, AckAnswer.Read($"{Header}MSA|{msa1}|ctl-1\r", "ctl-1").Code);

    [Fact]
    public void Read_RejectWithErr_CarriesMsa3AndTheErrText()
    {
        var answer = AckAnswer.Read($"{Header}MSA|AR|ctl-1|no such unit\rERR||OBR^3|207^Application internal error^HL70357|E||||unit ward-9 unknown\r", "ctl-1");
        Assert.Equal(AckCode.Reject, answer.Code);
        Assert.Equal("no such unit: Application internal error: unit ward-9 unknown", answer.Text);
    }

    [Fact]
    public void Read_AckOfAnotherMessage_IsRefused()
    {
        var ex = Assert.Throws<Hl7FormatException>(() => AckAnswer.Read($"{Header}MSA|AA|ctl-0\r", "ctl-1"));
        Assert.Contains("does not acknowledge message 'ctl-1'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NoMsa_Or_UnknownCode_IsRefused()
    {
        Assert.Throws<Hl7FormatException>(() => AckAnswer.Read(Header, "ctl-1"));
        Assert.Equal(Hl7ErrorCode.TableValueNotFound, Assert.Throws<Hl7FormatException>(() => AckAnswer.Read($"{Header}MSA|OK|ctl-1\r", "ctl-1")).ErrorCode);
    }
}
