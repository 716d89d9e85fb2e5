namespace EdgeTwin.Drivers.Ble.Pairing;

/// <summary>
/// Where the box pairs: the adapter (hci0) and the D-Bus address of the bus BlueZ is on (null: the
/// system bus), and how long each step may take. Every D-Bus call has a deadline: a BlueZ that
/// never answers gives <see cref="BlePairingFailure.Timeout"/>, never a request that hangs.
/// </summary>
public sealed record BlePairingSettings(string Adapter = "hci0", string? BusAddress = null)
{
    /// <summary>Longest scan a request may ask for.</summary>
    public static readonly TimeSpan MaxScan = TimeSpan.FromSeconds(60);

    /// <summary>How long one BlueZ call other than Pair may take.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long Pair may take (connection, key exchange and the agent's answers).</summary>
    public TimeSpan PairTimeout { get; init; } = TimeSpan.FromSeconds(60);
}
