namespace EdgeTwin.Drivers.Tests.Hl7;

using System.Net;
using EdgeTwin.Drivers.Hl7;
using EdgeTwin.Hl7v2;
using Microsoft.Extensions.Time.Testing;

public class Hl7MessageHandlerTests
{
    private static readonly FakeTimeProvider Clock = new(new DateTimeOffset(2026, 7, 1, 10, 0, 7, TimeSpan.Zero));

    private static Hl7MessageHandler Handler(string? application = null, string? facility = null, int recent = 1024) =>
        new(new Hl7MllpSettings("mon-1", IPAddress.Loopback, 0, Hl7Samples.Berlin, application, facility, RecentIdCapacity: recent), Clock);

    private static Hl7Segment Segment(string ack, string id) => Hl7Message.Parse(ack).Segments.Single(s => s.Id == id);

    [Fact]
    public void Accepted_AckIsAA_EchoingMsh10_AsAckR01_WithSenderAndReceiverSwapped()
    {
        var handled = Handler().Handle(Hl7Samples.Oru("MSG-00042", Hl7Samples.HeartRate72));

        Assert.Equal(AckCode.Accept, handled.Code);
        Assert.Single(handled.Samples);
        var msh = Segment(handled.Ack, "MSH");
        Assert.Equal(["EDGETWIN", "BOX", "MONITOR", "ICU"], [msh.Get(3), msh.Get(4), msh.Get(5), msh.Get(6)]);
        Assert.Equal("20260701100007+0000", msh.Get(7));
        Assert.Equal(["ACK", "R01", "ACK"], [msh.Get(9, 1), msh.Get(9, 2), msh.Get(9, 3)]);
        Assert.NotEqual("MSG-00042", msh.Get(10));
        Assert.Equal(["P", "2.6"], [msh.Get(11), msh.Get(12)]);
        var msa = Segment(handled.Ack, "MSA");
        Assert.Equal(["AA", "MSG-00042"], [msa.Get(1), msa.Get(2)]);
        Assert.DoesNotContain("\rERR", handled.Ack, StringComparison.Ordinal);
        Assert.EndsWith("\r", handled.Ack, StringComparison.Ordinal);
    }

    [Fact]
    public void AcceptedWithSkippedObservations_IsStillAA_SayingHowManyWereNotUsed()
    {
        var handled = Handler().Handle(Hl7Samples.Oru("M-1", Hl7Samples.HeartRate72, Hl7Samples.Obx("1^X^MDC", "1", "/min")));

        Assert.Equal(AckCode.Accept, handled.Code);
        Assert.Single(handled.Skipped);
        Assert.Equal("1 observation(s) not used", Segment(handled.Ack, "MSA").Get(3));
    }

    [Theory]
    [InlineData("ADT^A01^ADT_A01", "P", "2.6", "200", "MSH^9")]
    [InlineData("ORU^R30", "P", "2.6", "201", "MSH^9")]
    [InlineData("ORU^R01", "P", "3.0", "203", "MSH^12")]
    [InlineData("ORU^R01", "T", "2.6", "202", "MSH^11")]
    [InlineData("ORU^R01", "D", "2.6", "202", "MSH^11")]
    public void MessageWeDoNotTake_IsAR_WithErrAndNoSamples(string type, string processing, string version, string code, string location)
    {
        var text = Hl7Samples.Header("M-9", type, processing, version) + "\rOBR|1\r" + Hl7Samples.HeartRate72 + "\r";

        var handled = Handler().Handle(text);

        Assert.Equal(AckCode.Reject, handled.Code);
        Assert.Empty(handled.Samples);
        Assert.Equal(["AR", "M-9"], [Segment(handled.Ack, "MSA").Get(1), Segment(handled.Ack, "MSA").Get(2)]);
        var err = Segment(handled.Ack, "ERR");
        Assert.Equal(location, err.Get(2, 1) + "^" + err.Get(2, 2));
        Assert.Equal(code, err.Get(3, 1));
        Assert.Equal("HL70357", err.Get(3, 3));
        Assert.Equal("E", err.Get(4));
        Assert.Equal(handled.Problem, err.Get(8));
    }

    [Theory]
    [InlineData("MONITOR", "WARD-7", "facility")]
    [InlineData("OTHER-MONITOR", null, "application")]
    public void UnexpectedSender_IsAR(string application, string? facility, string named)
    {
        var handled = Handler(application, facility).Handle(Hl7Samples.Oru("M-10", Hl7Samples.HeartRate72));

        Assert.Equal(AckCode.Reject, handled.Code);
        Assert.Contains(named, handled.Problem, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(handled.Samples);
    }

    [Fact]
    public void ExpectedSender_IsAccepted()
    {
        Assert.Equal(AckCode.Accept, Handler("MONITOR", "ICU").Handle(Hl7Samples.Oru("M-11", Hl7Samples.HeartRate72)).Code);
    }

    [Fact]
    public void Malformed_IsAE_EchoingTheControlId_WithTheReasonEscaped_AndNoSamples()
    {
        var text = Hl7Samples.Header("M|12".Replace("|", @"\F\", StringComparison.Ordinal)) + "\r" + Hl7Samples.HeartRate72 + "\rOBR|1\r";

        var handled = Handler().Handle(text);

        Assert.Equal(AckCode.Error, handled.Code);
        Assert.Empty(handled.Samples);
        var msa = Segment(handled.Ack, "MSA");
        Assert.Equal(["AE", "M|12"], [msa.Get(1), msa.Get(2)]);
        Assert.Equal("100", Segment(handled.Ack, "ERR").Get(3, 1));
        Assert.Contains("OBX before any OBR", Segment(handled.Ack, "ERR").Get(8), StringComparison.Ordinal);
    }

    [Fact]
    public void Unparsable_IsAE_WithDefaultDelimiters_AndAnEmptyMsa2()
    {
        var handled = Handler().Handle("hello, is anyone there?");

        Assert.Equal(AckCode.Error, handled.Code);
        Assert.StartsWith("MSH|^~\\&|", handled.Ack, StringComparison.Ordinal);
        Assert.Equal("", Segment(handled.Ack, "MSA").Get(2));
    }

    [Fact]
    public void EmptyControlId_IsAE_RequiredFieldMissing()
    {
        var handled = Handler().Handle(Hl7Samples.Oru("", Hl7Samples.HeartRate72));

        Assert.Equal(AckCode.Error, handled.Code);
        Assert.Equal("101", Segment(handled.Ack, "ERR").Get(3, 1));
    }

    [Fact]
    public void AckUsesTheSendersDelimiters()
    {
        var text = "MSH#$*@%#MON#ICU#ET#BOX#20260701120006+0200##ORU$R01#ID7#P#2.5\rOBR#1\r";

        var handled = Handler().Handle(text);

        Assert.StartsWith("MSH#$*@%#ET#BOX#MON#ICU#", handled.Ack, StringComparison.Ordinal);
        Assert.Contains("\rMSA#AA#ID7\r", handled.Ack, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_IsAckedAgain_WithoutSamples_ButAnotherIdIsNot()
    {
        var handler = Handler();
        var first = handler.Handle(Hl7Samples.Oru("M-20", Hl7Samples.HeartRate72));
        var again = handler.Handle(Hl7Samples.Oru("M-20", Hl7Samples.HeartRate72));
        var next = handler.Handle(Hl7Samples.Oru("M-21", Hl7Samples.HeartRate72));

        Assert.Single(first.Samples);
        Assert.Equal((AckCode.Accept, true, 0), (again.Code, again.Duplicate, again.Samples.Count));
        Assert.Equal("M-20", Segment(again.Ack, "MSA").Get(2));
        Assert.Equal((false, 1), (next.Duplicate, next.Samples.Count));
    }

    [Fact]
    public void RefusedMessage_IsNotRemembered_SoItsCorrectedResendCounts()
    {
        var handler = Handler();
        var broken = handler.Handle(Hl7Samples.Header("M-30") + "\r" + Hl7Samples.HeartRate72 + "\r");
        var fixedResend = handler.Handle(Hl7Samples.Oru("M-30", Hl7Samples.HeartRate72));

        Assert.Equal(AckCode.Error, broken.Code);
        Assert.Equal((AckCode.Accept, false, 1), (fixedResend.Code, fixedResend.Duplicate, fixedResend.Samples.Count));
    }

    [Fact]
    public void RecentIds_AreBounded_OldestForgottenFirst()
    {
        var handler = Handler(recent: 2);
        foreach (var id in new[] { "A", "B", "C" })
        {
            handler.Handle(Hl7Samples.Oru(id, Hl7Samples.HeartRate72));
        }

        Assert.False(handler.Handle(Hl7Samples.Oru("A", Hl7Samples.HeartRate72)).Duplicate);
        Assert.True(handler.Handle(Hl7Samples.Oru("C", Hl7Samples.HeartRate72)).Duplicate);
    }

    [Fact]
    public void Oversize_IsAE_EchoingTheControlIdFromTheKeptPrefix()
    {
        var prefix = Hl7Samples.Oru("BIG-1", Hl7Samples.HeartRate72)[..120];

        var handled = Handler().RefuseOversize(prefix, 65536);

        Assert.Equal(["AE", "BIG-1"], [Segment(handled.Ack, "MSA").Get(1), Segment(handled.Ack, "MSA").Get(2)]);
        Assert.Contains("65536", Segment(handled.Ack, "ERR").Get(8), StringComparison.Ordinal);
    }
}
