namespace EdgeTwin.Drivers.Ble.BlueZ;

/// <summary>
/// One signal from BlueZ as it was read: its body, or, for a body other than the documented one,
/// what was wrong with it (<see cref="Problem"/>; <see cref="Value"/> is then default and nothing may be taken from it).
/// </summary>
internal readonly record struct BluezSignal<T>(T? Value, string? Problem);
