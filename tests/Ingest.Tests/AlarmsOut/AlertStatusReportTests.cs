namespace EdgeTwin.Ingest.Tests.AlarmsOut;

using EdgeTwin.Hl7v2;
using EdgeTwin.Ingest.AlarmsOut;

/// <summary>PCD-05 ORA^R41 read strictly: what is taken, and every refusal with its HL7 error.</summary>
public sealed class AlertStatusReportTests
{
    private static readonly DateTimeOffset Received = new(2026, 12, 5, 2, 20, 0, TimeSpan.Zero);

    internal static string Report(string status = "accepted", string type = "ORA^R41^ORA_R41", string version = "2.6", string processing = "P",
        string obr = "OBR|1||gw-1.0123456789ab.7^EDGETWIN|196616^MDC_EVT_ALARM^MDC", string msa = "MSA|AA|gw-1.0123456789ab.7", string? obx = null, string controlId = "AM-1") =>
        $"MSH|^~\\&|AM|HOSP|EDGETWIN|site-a|20261205022000+0000||{type}|{controlId}|{processing}|{version}\r"
        + (msa.Length > 0 ? msa + "\r" : "")
        + (obr.Length > 0 ? obr + "\r" : "")
        + (obx ?? $"OBX|1|ST|ALERT_STATUS^Alert status^99EDGETWIN|1|{status}||||||F|||20261205021930+0000||N-4711^Nightingale^Florence") + "\r";

    [Fact]
    public void Read_AcceptedByANurse_GivesAlertStatusWhoAndWhen()
    {
        var r = AlertStatusReport.Read(Hl7Message.Parse(Report()), Received);
        Assert.Equal("AM-1", r.ControlId);
        Assert.Equal("gw-1.0123456789ab.7", r.AlertId);
        Assert.Equal("gw-1.0123456789ab.7", r.AnsweredControlId);
        Assert.Equal("accepted", r.Status);
        Assert.Equal("N-4711 Florence Nightingale", r.Who);
        Assert.Equal(new DateTimeOffset(2026, 12, 5, 2, 19, 30, TimeSpan.Zero), r.At);
    }

    [Theory]
    [InlineData("delivered")]
    [InlineData("READ")]
    [InlineData("rejected")]
    public void Read_EachStatus_IsTaken_InLowerCase(string status) =>
        Assert.Equal(status.ToLowerInvariant(), AlertStatusReport.Read(Hl7Message.Parse(Report(status)), Received).Status);

    [Fact]
    public void Read_NoTime_TakesTheArrivalTime_NoObserver_WhoIsNull()
    {
        var r = AlertStatusReport.Read(Hl7Message.Parse(Report(obx: "OBX|1|ST|ALERT_STATUS|1|read")), Received);
        Assert.Equal(Received, r.At);
        Assert.Null(r.Who);
    }

    [Theory]
    [InlineData("ORU^R40^ORU_R40", "2.6", "P", AckCode.Reject, Hl7ErrorCode.UnsupportedMessageType, "MSH^9")]
    [InlineData("ORA^R33^ORA_R33", "2.6", "P", AckCode.Reject, Hl7ErrorCode.UnsupportedEventCode, "MSH^9")]
    [InlineData("ORA^R41^ORA_R41", "3.0", "P", AckCode.Reject, Hl7ErrorCode.UnsupportedVersionId, "MSH^12")]
    [InlineData("ORA^R41^ORA_R41", "2.6", "T", AckCode.Reject, Hl7ErrorCode.UnsupportedProcessingId, "MSH^11")]
    public void Read_WrongHeader_IsRejectedWithItsError(string type, string version, string processing, AckCode code, Hl7ErrorCode error, string location)
    {
        var refusal = Assert.Throws<AlertStatusRefusal>(() => AlertStatusReport.Read(Hl7Message.Parse(Report(type: type, version: version, processing: processing)), Received));
        Assert.Equal((code, error, location), (refusal.Code, refusal.Error, refusal.Location));
    }

    [Fact]
    public void Read_UnknownStatus_IsAnErrorTableValueNotFound()
    {
        var refusal = Assert.Throws<AlertStatusRefusal>(() => AlertStatusReport.Read(Hl7Message.Parse(Report("seen")), Received));
        Assert.Equal((AckCode.Error, Hl7ErrorCode.TableValueNotFound, "OBX^5"), (refusal.Code, refusal.Error, refusal.Location));
        Assert.Contains("'seen'", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NoAlertIdentity_IsAnErrorRequiredFieldMissing()
    {
        var refusal = Assert.Throws<AlertStatusRefusal>(() => AlertStatusReport.Read(Hl7Message.Parse(Report(obr: "", msa: "")), Received));
        Assert.Equal((AckCode.Error, Hl7ErrorCode.RequiredFieldMissing, "OBR^3"), (refusal.Code, refusal.Error, refusal.Location));
    }

    [Fact]
    public void Read_NoStatusRow_And_TwoStatusRows_AreErrors()
    {
        var none = Assert.Throws<AlertStatusRefusal>(() => AlertStatusReport.Read(Hl7Message.Parse(Report(obx: "NTE|1||no status")), Received));
        Assert.Equal(Hl7ErrorCode.RequiredFieldMissing, none.Error);
        var two = Assert.Throws<AlertStatusRefusal>(() => AlertStatusReport.Read(Hl7Message.Parse(Report(obx: "OBX|1|ST|S|1|read\rOBX|2|ST|S|1|accepted")), Received));
        Assert.Equal(Hl7ErrorCode.SegmentSequenceError, two.Error);
    }

    [Fact]
    public void Read_BadTime_IsAnErrorDataType()
    {
        var refusal = Assert.Throws<AlertStatusRefusal>(() => AlertStatusReport.Read(Hl7Message.Parse(Report(obx: "OBX|1|ST|S|1|read||||||F|||yesterday")), Received));
        Assert.Equal((Hl7ErrorCode.DataTypeError, "OBX^14"), (refusal.Error, refusal.Location));
    }

    [Fact]
    public void Read_EmptyControlId_IsAnErrorRequiredFieldMissing()
    {
        var refusal = Assert.Throws<AlertStatusRefusal>(() => AlertStatusReport.Read(Hl7Message.Parse(Report(controlId: "")), Received));
        Assert.Equal((Hl7ErrorCode.RequiredFieldMissing, "MSH^10"), (refusal.Error, refusal.Location));
    }
}
