namespace EdgeTwin.Gateway.Pairing;

/// <summary><c>Pairing:*</c> settings: where the box scans and pairs Bluetooth devices (hardware/ble.md, "Pairing a device").</summary>
internal sealed class PairingOptions
{
    public const string Section = "Pairing";

    /// <summary>The Bluetooth adapter (hci0; a USB dongle is often hci1).</summary>
    public string Adapter { get; set; } = "hci0";

    /// <summary>The D-Bus address of the bus BlueZ is on; empty: the system bus.</summary>
    public string? Bus { get; set; }

    /// <summary>How long a scan listens when the request does not say (1-60 s).</summary>
    public int ScanSeconds { get; set; } = 10;
}
