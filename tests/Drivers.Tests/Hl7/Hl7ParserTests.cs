namespace EdgeTwin.Drivers.Tests.Hl7;

using EdgeTwin.Drivers.Hl7;
using EdgeTwin.Hl7v2;

public class Hl7ParserTests
{
    [Fact]
    public void Msh_FieldsAreNumberedAsTheStandardSays()
    {
        var message = Hl7Message.Parse(Hl7Samples.Oru("MSG-1", Hl7Samples.HeartRate72));

        Assert.Equal("|", message.Header.Raw(1));
        Assert.Equal("^~\\&", message.Header.Get(2));
        Assert.Equal("MONITOR", message.Header.Get(3));
        Assert.Equal("ORU", message.Header.Get(9, 1));
        Assert.Equal("R01", message.Header.Get(9, 2));
        Assert.Equal("MSG-1", message.ControlId);
        Assert.Equal(["MSH", "PID", "OBR", "OBX"], message.Segments.Select(s => s.Id));
        Assert.Equal("MDC_ECG_HEART_RATE", message.Segments[3].Get(3, 2));
    }

    [Theory]
    [InlineData(@"a\F\b", "a|b")]
    [InlineData(@"a\S\b", "a^b")]
    [InlineData(@"a\T\b", "a&b")]
    [InlineData(@"a\R\b", "a~b")]
    [InlineData(@"a\E\b", @"a\b")]
    [InlineData(@"\H\bold\N\", "bold")]
    [InlineData(@"\F\\S\\T\\R\\E\", @"|^&~\")]
    [InlineData("plain", "plain")]
    public void EveryEscape_IsResolved(string escaped, string text)
    {
        var segment = new Hl7Segment("NTE|1||" + escaped, Hl7Delimiters.Default);

        Assert.Equal(text, segment.Get(3));
    }

    [Theory]
    [InlineData(@"a\X41\b")]
    [InlineData(@"a\.br\b")]
    [InlineData(@"a\Fb")]
    public void UnknownOrUnterminatedEscape_IsAnError_NamingTheField(string escaped)
    {
        var segment = new Hl7Segment("NTE|1||" + escaped, Hl7Delimiters.Default);

        var error = Assert.Throws<Hl7FormatException>(() => segment.Get(3));
        Assert.Equal("NTE^3", error.Location);
        Assert.Equal(Hl7ErrorCode.DataTypeError, error.ErrorCode);
    }

    [Fact]
    public void OtherDelimiters_AreTakenFromMsh1AndMsh2_IncludingTheirEscapes()
    {
        var text = "MSH#$*@%#MON#ICU#ET#BOX#20260701120006+0200##ORU$R01#ID@F@7#P#2.5\r" +
                   "OBR#1######20260701120000+0200\r" +
                   "OBX#1#NM#147842$MDC_ECG_HEART_RATE$MDC##80#264864$MDC_DIM_BEAT_PER_MIN$MDC#####F\r" +
                   "NTE#1##x@S@y@T@z@R@w@E@v|^~\\&";

        var message = Hl7Message.Parse(text);

        Assert.Equal(new Hl7Delimiters('#', '$', '*', '@', '%'), message.Delimiters);
        Assert.Equal("ID@F@7", message.ControlId);
        Assert.Equal("ID#7", message.Header.Get(10));
        Assert.Equal("R01", message.Header.Get(9, 2));
        Assert.Equal("x$y%z*w@v|^~\\&", message.Segments[3].Get(3));
        var content = OruReader.Read(message, "mon-1", TimeZoneInfo.Utc);
        Assert.Equal(80, Assert.Single(content.Samples).Value);
    }

    [Fact]
    public void FifthEncodingCharacter_TruncationOfV27_IsAllowed()
    {
        var message = Hl7Message.Parse("MSH|^~\\&#|A|B|C|D|20260701120006||ORU^R01|X|P|2.7\r");

        Assert.Equal(Hl7Delimiters.Default, message.Delimiters);
    }

    [Theory]
    [InlineData("PID|1\rMSH|^~\\&|A", "MSH")]
    [InlineData("MSH|^~|A|B", "MSH^2")]
    [InlineData("MSH|^~\\^|A|B|C", "MSH^2")]
    [InlineData("MSH|^~A&|A|B|C", "MSH^2")]
    [InlineData("", "MSH")]
    public void BadHeader_IsRefused_WithoutAHeader(string text, string location)
    {
        var error = Assert.Throws<Hl7FormatException>(() => Hl7Message.Parse(text));

        Assert.Equal(location, error.Location);
        Assert.Null(error.Header);
    }

    [Theory]
    [InlineData("obx|1|NM")]
    [InlineData("OB|1")]
    [InlineData("OBXX|1")]
    [InlineData("1BX|1")]
    [InlineData("MSH|^~\\&|again")]
    public void BadSegment_AfterTheHeader_IsRefused_KeepingTheHeaderForTheAck(string segment)
    {
        var text = Hl7Samples.Header("M-7") + "\r" + segment + "\r";

        var error = Assert.Throws<Hl7FormatException>(() => Hl7Message.Parse(text));

        Assert.Equal("M-7", error.Header?.Raw(10));
        Assert.Contains("Segment 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EmptySegmentInTheMiddle_IsRefused_TrailingTerminatorsAreFine()
    {
        Assert.Throws<Hl7FormatException>(() => Hl7Message.Parse(Hl7Samples.Header("M") + "\r\rOBR|1\r"));

        var ok = Hl7Message.Parse(Hl7Samples.Header("M") + "\r\nOBR|1\r\n\r\n");
        Assert.Equal(["MSH", "OBR"], ok.Segments.Select(s => s.Id));
    }

    [Fact]
    public void Repetitions_AndSubcomponents_FirstOneIsRead()
    {
        var segment = new Hl7Segment("PID|||111&A^^^H~222^^^H", Hl7Delimiters.Default);

        Assert.Equal("111", segment.Get(3));
        Assert.Equal("H", segment.Get(3, 4));
        Assert.Equal("", segment.Get(3, 9));
        Assert.Equal("", segment.Get(30));
    }

    [Fact]
    public void EscapeText_RoundTripsThroughUnescape()
    {
        var d = new Hl7Delimiters('#', '$', '*', '@', '%');
        const string text = "a#b$c*d@e%f|g";

        Assert.Equal(text, d.Unescape(d.EscapeText(text)));
        Assert.DoesNotContain('#', d.EscapeText(text));
        Assert.Equal("line one line two", Hl7Delimiters.Default.EscapeText("line one\rline two"));
    }

    [Theory]
    [InlineData("MSH|^~\\&|MON\u001cITOR|ICU|ET|BOX|20260701120006||ORU^R01|X|P|2.6\rOBR|1\r")]
    [InlineData("MSH|^~\\&|MON|ICU|ET|BOX|20260701120006||ORU^R01|X|P|2.6\rOBR|1\u000b\r")]
    public void MllpBlockCharacterInsideAMessage_IsRefused_SoNoAckCanEchoIt(string text)
    {
        var error = Assert.Throws<Hl7FormatException>(() => Hl7Message.Parse(text));

        Assert.Contains("MLLP block character", error.Message, StringComparison.Ordinal);
    }
}
