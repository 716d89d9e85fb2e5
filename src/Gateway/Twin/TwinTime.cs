namespace EdgeTwin.Gateway.Twin;

using EdgeTwin.Telemetry.Wire;

/// <summary>Timestamps in twin documents and events use the ETP/1 form: UTC, milliseconds, <c>Z</c>.</summary>
internal static class TwinTime
{
    public static string Format(DateTimeOffset time) =>
        EtpTime.Format(time);
}
