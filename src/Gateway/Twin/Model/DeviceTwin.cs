namespace EdgeTwin.Gateway.Twin.Model;

using EdgeTwin.Drivers.Model;

/// <summary>What the twin knows of one device: identity, health, when it last gave a sample.</summary>
internal sealed record DeviceTwin(string DeviceId, string Model, string Serial, string Firmware, DeviceHealth Health, DateTimeOffset? LastSample);
