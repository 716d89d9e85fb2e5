namespace EdgeTwin.Drivers.Diagnostics;

using System.Diagnostics.Metrics;

/// <summary>
/// The drivers' meter: what a device driver refused from its peer (a network monitor's connection
/// or message), by device and kind, and what a Bluetooth LE driver met (malformed readings, failed
/// sessions, stored-record downloads). The gateway exports it with its own on <c>/metrics</c>
/// (<c>edgetwin_device_refused{device,what}</c>); a driver has no host to take an <c>IMeterFactory</c> from.
/// </summary>
public static class DriverMetrics
{
    public const string MeterName = "EdgeTwin.Drivers";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> RefusedCounter =
        Meter.CreateCounter<long>("edgetwin.device.refused", "{item}", "Connections and messages device drivers refused (peer, takeover, tls, frame-timeout, oversize, message-ar, message-ae)");

    private static readonly Counter<long> BleCounter =
        Meter.CreateCounter<long>("edgetwin.device.ble", "{event}", "What Bluetooth LE drivers met, by device and kind: malformed, malformed-signal, failed-attempt, session, clock-off, clock-write, stored-record, repeated-record, record-access-failure");

    private static readonly Counter<long> PairingCounter =
        Meter.CreateCounter<long>("edgetwin.ble.pairing", "{operation}", "Bluetooth scans, pairings and forgets from the box, by device (address; the adapter for a scan) and what: scan, pair, forget, or scan-failed, list-failed, pair-failed, forget-failed with the reason; agent-refused: a call on the pairing agent from a peer that is not BlueZ or with malformed arguments, the device being the caller");

    /// <summary>One scan, pairing or forget; <paramref name="reason"/> for a failure (passkey-missing, timeout ...).</summary>
    internal static void Pairing(string device, string what, string? reason) =>
        PairingCounter.Add(1, new KeyValuePair<string, object?>("device", device), new KeyValuePair<string, object?>("what", what), new KeyValuePair<string, object?>("reason", reason ?? "none"));

    /// <summary>One Bluetooth LE driver event (the driver keeps the same figures as properties for tests and diagnostics).</summary>
    internal static void Ble(string device, string what) =>
        BleCounter.Add(1, new KeyValuePair<string, object?>("device", device), new KeyValuePair<string, object?>("what", what));

    internal static void Refused(string device, string what) =>
        RefusedCounter.Add(1, new KeyValuePair<string, object?>("device", device), new KeyValuePair<string, object?>("what", what));
}
