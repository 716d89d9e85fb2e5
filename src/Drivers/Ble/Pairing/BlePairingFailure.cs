namespace EdgeTwin.Drivers.Ble.Pairing;

/// <summary>Why a scan, pairing or forget did not happen; the wire name is what logs, metrics and the API say.</summary>
public enum BlePairingFailure
{
    /// <summary>Malformed address or passkey: nothing was asked of BlueZ.</summary>
    Invalid,

    /// <summary>Another scan, pairing or forget is running on this box.</summary>
    Busy,

    /// <summary>No D-Bus system bus, no BlueZ on it, no permission, or no such adapter.</summary>
    Unavailable,

    /// <summary>BlueZ does not know the device: scan first, with the device awake.</summary>
    NotFound,

    /// <summary>The device asked for a passkey (or to confirm a number) and none was given.</summary>
    PasskeyMissing,

    /// <summary>The device refused the passkey given.</summary>
    PasskeyRefused,

    /// <summary>The device refused or cancelled the pairing, or went away.</summary>
    Refused,

    /// <summary>BlueZ did not answer in time; the pairing was cancelled.</summary>
    Timeout,
}
