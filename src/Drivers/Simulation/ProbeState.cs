namespace EdgeTwin.Drivers.Simulation;

/// <summary>What the simulated sensors are doing, independent of the patient.</summary>
internal enum ProbeState
{
    Attached,

    /// <summary>The finger probe fell off: SpO2 and pleth are invalid, ECG-derived values go on.</summary>
    FingerProbeOff,

    /// <summary>The monitor is gone (unplugged, out of range): nothing more is produced.</summary>
    DeviceLost,
}
