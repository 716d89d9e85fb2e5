namespace EdgeTwin.Ingest.Tests.AlarmsOut;

using EdgeTwin.Hl7v2;
using EdgeTwin.Ingest.AlarmsOut;
using EdgeTwin.Ingest.Options;

/// <summary>PCD-04 ORU^R40 segments and fields against the IHE PCD ACM layout (docs/alarms-out.md).</summary>
public sealed class OruR40BuilderTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 2, 10, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset At = new(2026, 12, 5, 2, 9, 58, 123, TimeSpan.Zero);
    private static readonly AlarmManagerOptions Manager = new() { Name = "pager", Host = "127.0.0.1", Port = 2575, ReceivingApplication = "AM", ReceivingFacility = "HOSP" };

    [Fact]
    public void Build_SpO2LowRaised_HasHeaderPatientLocationAlertAndSevenFacets()
    {
        var alarm = new AlarmRecord("pt-0123456789abcdef0123456789abcdef", "sim-bed-1", "medium", "spo2-low", "raised", "rule", 88, "SpO2 low", At);
        var text = OruR40Builder.Build(new AcmReport("gw-1.0123456789ab.7", "gw-1.0123456789ab.7", "site-a", "gw-1", "bed-12", alarm, "start", "active", "enabled"), new AlarmsOutOptions(), Manager, Now);
        var m = Hl7Message.Parse(text);

        Assert.Equal(["MSH", "PID", "PV1", "OBR", "OBX", "OBX", "OBX", "OBX", "OBX", "OBX", "OBX"], m.Segments.Select(s => s.Id));
        var msh = m.Header;
        Assert.Equal("EDGETWIN", msh.Get(3));
        Assert.Equal("site-a", msh.Get(4));
        Assert.Equal("AM", msh.Get(5));
        Assert.Equal("HOSP", msh.Get(6));
        Assert.Equal("20261205021000+0000", msh.Get(7));
        Assert.Equal("ORU^R40^ORU_R40", msh.Raw(9));
        Assert.Equal("gw-1.0123456789ab.7", msh.Get(10));
        Assert.Equal("P", msh.Get(11));
        Assert.Equal("2.6", msh.Get(12));
        Assert.Equal("AL", msh.Get(15));
        Assert.Equal("NE", msh.Get(16));
        Assert.Equal("UNICODE UTF-8", msh.Get(18));
        Assert.Equal("IHE_PCD_ACM_001^IHE PCD^1.3.6.1.4.1.19376.1.6.4.4^ISO", msh.Raw(21));

        var pid = m.Segments[1];
        Assert.Equal("pt-0123456789abcdef0123456789abcdef^^^EDGETWIN-PSEUDONYM^ANON", pid.Raw(3));
        Assert.Equal("", pid.Raw(5));
        var pv1 = m.Segments[2];
        Assert.Equal("I", pv1.Get(2));
        Assert.Equal("site-a^^bed-12", pv1.Raw(3));
        var obr = m.Segments[3];
        Assert.Equal("gw-1.0123456789ab.7^EDGETWIN", obr.Raw(3));
        Assert.Equal("196616^MDC_EVT_ALARM^MDC", obr.Raw(4));
        Assert.Equal("20261205020958+0000", obr.Get(7));

        var obx = m.Segments.Where(s => s.Id == "OBX").ToList();
        Assert.Equal(["1", "2", "3", "4", "5", "6", "7"], obx.Select(o => o.Get(1)));
        Assert.Equal(["1.0.0.0.1", "1.0.0.0.2", "1.0.0.0.3", "1.0.0.0.4", "1.0.0.0.5", "1.0.0.0.6", "1.0.0.0.7"], obx.Select(o => o.Get(4)));
        Assert.All(obx, o => Assert.Equal("F", o.Get(11)));

        // Facet 1: alarm type (MDC_EVT_LO, the box's condition as the local code), priority and source in OBX-8.
        Assert.Equal("CWE", obx[0].Get(2));
        Assert.Equal("196616^MDC_EVT_ALARM^MDC", obx[0].Raw(3));
        Assert.Equal("196652^MDC_EVT_LO^MDC^spo2-low^SpO2 low^99EDGETWIN", obx[0].Raw(5));
        Assert.Equal("L~PM~SP", obx[0].Raw(8));
        Assert.Equal("20261205020958+0000", obx[0].Get(14));
        Assert.Equal("sim-bed-1", obx[0].Get(18));

        // Facet 2: the metric in alarm, with its value and MDC unit.
        Assert.Equal("NM", obx[1].Get(2));
        Assert.Equal("150456^MDC_PULS_OXIM_SAT_O2^MDC", obx[1].Raw(3));
        Assert.Equal("88", obx[1].Get(5));
        Assert.Equal("262688^MDC_DIM_PERCENT^MDC", obx[1].Raw(6));

        Assert.Equal(("68481^MDC_ATTR_EVENT_PHASE^MDC", "start"), (obx[2].Raw(3), obx[2].Get(5)));
        Assert.Equal(("68482^MDC_ATTR_ALARM_STATE^MDC", "active"), (obx[3].Raw(3), obx[3].Get(5)));
        Assert.Equal(("68483^MDC_ATTR_ALARM_INACTIVATION_STATE^MDC", "enabled"), (obx[4].Raw(3), obx[4].Get(5)));
        Assert.Equal(("68484^MDC_ATTR_ALARM_PRIORITY^MDC", "PM"), (obx[5].Raw(3), obx[5].Get(5)));
        Assert.Equal(("68485^MDC_ATTR_ALERT_TYPE^MDC", "SP"), (obx[6].Raw(3), obx[6].Get(5)));
    }

    [Theory]
    [InlineData("high", "PH")]
    [InlineData("medium", "PM")]
    [InlineData("low", "PL")]
    public void Build_Priority_MapsIec60601To_PH_PM_PL_InOBX8AndFacet6(string priority, string code)
    {
        var alarm = new AlarmRecord("pt-1", "sim-bed-1", priority, "news2-high", "raised", "news2", 8, "NEWS2 8", At);
        var m = Hl7Message.Parse(OruR40Builder.Build(new AcmReport("c", "a", "s", "gw-1", null, alarm, "start", "active", "enabled"), new AlarmsOutOptions(), Manager, Now));
        var obx = m.Segments.Where(s => s.Id == "OBX").ToList();
        Assert.Equal($"{code}~SP", obx[0].Raw(8));
        Assert.Equal(code, obx[5].Get(5));
    }

    [Fact]
    public void Build_GatewayWideTechnicalAlarm_HasNoPid_SourceIsTheDevice_TypeST()
    {
        var alarm = new AlarmRecord("", "gateway", "medium", "uplink-down", "raised", "rule", null, "Uplink down", At);
        var m = Hl7Message.Parse(OruR40Builder.Build(new AcmReport("c", "a", "s", "gw-1", null, alarm, "start", "active", "enabled"), new AlarmsOutOptions(), Manager, Now));
        Assert.DoesNotContain(m.Segments, s => s.Id == "PID");
        var obx = m.Segments.Where(s => s.Id == "OBX").ToList();
        Assert.Equal("PM~ST", obx[0].Raw(8));
        Assert.Equal(("ST", "68480^MDC_ATTR_ALERT_SOURCE^MDC", "gateway"), (obx[1].Get(2), obx[1].Raw(3), obx[1].Get(5)));
        Assert.Equal("ST", obx[6].Get(5));
    }

    [Fact]
    public void Build_TextWithDelimiters_IsEscaped_AndReadsBackUnchanged()
    {
        var alarm = new AlarmRecord("pt-1", "dev|1", "low", "site^rule", "raised", "rule", null, "a|b^c&d~e\\f", At);
        var m = Hl7Message.Parse(OruR40Builder.Build(new AcmReport("c", "a", "s", "gw-1", null, alarm, "start", "active", "enabled"), new AlarmsOutOptions(), Manager, Now));
        var obx = m.Segments.Where(s => s.Id == "OBX").ToList();
        Assert.Equal("site^rule", obx[0].Get(5, 4));
        Assert.Equal("a|b^c&d~e\\f", obx[0].Get(5, 5));
        Assert.Equal("dev|1", obx[0].Get(18));
        Assert.Equal(11, m.Segments.Count); // MSH PID PV1 OBR and seven OBX: no delimiter in the text split a segment
    }
}
