namespace EdgeTwin.Ingest.AlarmsOut;

/// <summary>
/// Everything one PCD-04 says about one alarm change. <see cref="AlertId"/> is the identity the
/// alarm managers see in OBR-3 from raised to cleared; <see cref="ControlId"/> (MSH-10) is unique
/// per change, so a manager drops a message it already has (a re-send after a restart).
/// </summary>
internal sealed record AcmReport(
    string ControlId,
    string AlertId,
    string Site,
    string Gw,
    string? Bed,
    AlarmRecord Alarm,
    string Phase,
    string AlarmState,
    string InactivationState)
{
    public const string PhaseStart = "start";
    public const string PhaseUpdate = "update";
    public const string PhaseEscalate = "escalate";
    public const string PhaseDeescalate = "de-escalate";
    public const string PhaseEnd = "end";

    public const string StateActive = "active";
    public const string StateInactive = "inactive";

    public const string InactivationEnabled = "enabled";
    public const string InactivationAcknowledged = "alert-acknowledged";

    /// <summary>Whether PID goes out: a gateway-wide alarm (patient "") and an unbound device's ("unattributed") name no patient.</summary>
    public bool HasPatient => Alarm.Patient.Length > 0 && Alarm.Patient != "unattributed";
}
