namespace EdgeTwin.Drivers.Ble.Gatt;

using EdgeTwin.Drivers.Hardware;

/// <summary>Decodes the notifications of one standard Bluetooth SIG characteristic into readings.</summary>
internal interface IGattDecoder
{
    /// <summary>128-bit UUID as BlueZ reports it (lower case), e.g. 00002a37-0000-1000-8000-00805f9b34fb.</summary>
    string CharacteristicUuid { get; }

    /// <summary>The streams and their plausible ranges.</summary>
    IReadOnlyList<SensorStream> Streams { get; }

    /// <summary>Adds the payload's readings; returns null, or what is malformed (and adds nothing).</summary>
    string? Decode(ReadOnlySpan<byte> payload, ICollection<GattReading> readings);
}
