namespace EdgeTwin.Drivers.Model;

/// <summary>Identity of a device: what a clinical engineer reads off the label and the bus.</summary>
public sealed record DeviceInfo(
    string DeviceId,
    string Model,
    string Serial,
    string Firmware,
    string? BusAddress,
    IReadOnlyList<StreamCode> Streams);
