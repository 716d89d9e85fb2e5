namespace EdgeTwin.Ingest.AlarmsOut;

using System.Globalization;
using System.Text;
using EdgeTwin.Hl7v2;
using EdgeTwin.Ingest.Options;

/// <summary>
/// Encodes one <see cref="AcmReport"/> as an IHE PCD-04 Report Alert (HL7 v2.6 ORU^R40^ORU_R40):
/// MSH, PID (the pseudonym, identifier type ANON), PV1 (site, bed), one OBR for the alert (OBR-3 =
/// alert identity) and its facets as OBX rows with dotted sub-ids 1.0.0.0.n. The field layout and
/// where each value comes from: docs/alarms-out.md. Free text is escaped with the default delimiters.
/// </summary>
internal static class OruR40Builder
{
    /// <summary>MSH-21: the ACM message profile.</summary>
    public const string Profile = "IHE_PCD_ACM_001^IHE PCD^1.3.6.1.4.1.19376.1.6.4.4^ISO";

    /// <summary>PID-3.4: who assigned the identifier (the box's keyed pseudonym, never a hospital number).</summary>
    public const string PseudonymAuthority = "EDGETWIN-PSEUDONYM";

    private static readonly Hl7Delimiters D = Hl7Delimiters.Default;

    public static string Build(AcmReport report, AlarmsOutOptions options, AlarmManagerOptions manager, DateTimeOffset now)
    {
        var alarm = report.Alarm;
        var condition = AcmNomenclature.For(alarm.Condition);
        var at = Hl7Timestamp.Format(alarm.At);
        var facility = options.SendingFacility.Length > 0 ? options.SendingFacility : report.Site;
        var m = new StringBuilder(1024);
        Segment(m, "MSH", D.EncodingCharacters, options.SendingApplication, E(facility), E(manager.ReceivingApplication), E(manager.ReceivingFacility),
            Hl7Timestamp.Format(now), "", "ORU^R40^ORU_R40", E(report.ControlId), "P", "2.6", "", "", "AL", "NE", "", "UNICODE UTF-8", "", "", Profile);
        if (report.HasPatient)
        {
            Segment(m, "PID", "", "", $"{E(alarm.Patient)}^^^{PseudonymAuthority}^ANON");
        }

        Segment(m, "PV1", "", "I", $"{E(report.Site)}^^{E(report.Bed ?? "")}");
        Segment(m, "OBR", "1", "", $"{E(report.AlertId)}^{options.SendingApplication}", AcmNomenclature.Alarm.Coded('^'), "", "", at);

        var flags = string.Join('~', new[] { condition.Abnormality, AcmNomenclature.Priority(alarm.Priority), condition.Technical ? "ST" : "SP" }.Where(f => f is not null));
        var type = $"{condition.Event.Coded('^')}^{E(alarm.Condition)}^{E(alarm.Text)}^99EDGETWIN";
        Obx(m, 1, "CWE", AcmNomenclature.Alarm.Coded('^'), type, flags, at, E(alarm.Device));
        if (condition.Metric is { } metric && alarm.Value is { } value)
        {
            Obx(m, 2, "NM", metric.Coded('^'), value.ToString("0.####", CultureInfo.InvariantCulture), "", at, E(alarm.Device), condition.Unit!.Coded('^'));
        }
        else
        {
            Obx(m, 2, "ST", AcmNomenclature.AlertSource.Coded('^'), E(alarm.Device), "", at, E(alarm.Device));
        }

        Obx(m, 3, "ST", AcmNomenclature.EventPhase.Coded('^'), report.Phase);
        Obx(m, 4, "ST", AcmNomenclature.AlarmState.Coded('^'), report.AlarmState);
        Obx(m, 5, "ST", AcmNomenclature.InactivationState.Coded('^'), report.InactivationState);
        Obx(m, 6, "ST", AcmNomenclature.AlarmPriority.Coded('^'), AcmNomenclature.Priority(alarm.Priority));
        Obx(m, 7, "ST", AcmNomenclature.AlertType.Coded('^'), condition.Technical ? "ST" : "SP");
        return m.ToString();
    }

    /// <summary>OBX-1 set id, -2 type, -3 identifier, -4 sub-id 1.0.0.0.facet, -5 value, -6 unit, -8 flags, -11 status F, -14 time, -18 equipment.</summary>
    private static void Obx(StringBuilder m, int facet, string type, string identifier, string value, string flags = "", string time = "", string equipment = "", string unit = "")
    {
        var id = facet.ToString(CultureInfo.InvariantCulture);
        Segment(m, "OBX", id, type, identifier, $"1.0.0.0.{id}", value, unit, "", flags, "", "", "F", "", "", time, "", "", "", equipment);
    }

    private static void Segment(StringBuilder m, string id, params string[] fields)
    {
        m.Append(id);
        var last = fields.Length;
        while (last > 0 && fields[last - 1].Length == 0)
        {
            last--;
        }

        for (var i = 0; i < last; i++)
        {
            // MSH-1 is the field separator itself, so MSH-2 follows "MSH" directly after one separator.
            m.Append(D.Field).Append(fields[i]);
        }

        m.Append('\r');
    }

    private static string E(string text) => D.EscapeText(text);
}
