namespace EdgeTwin.Drivers.Hardware;

/// <summary>What a probe learns from the chip (part and revision ids).</summary>
internal sealed record SensorIdentity(string Serial, string Firmware);
