namespace EdgeTwin.Drivers.I2c.Mpu6050;

/// <summary>A fall: free fall followed by an impact, from a body-worn or bed-mounted accelerometer.</summary>
public sealed class FallDetectedEventArgs(string deviceId, DateTimeOffset at, double peakG) : EventArgs
{
    public string DeviceId { get; } = deviceId;

    /// <summary>Time of the impact.</summary>
    public DateTimeOffset At { get; } = at;

    /// <summary>Peak acceleration magnitude of the impact, in g.</summary>
    public double PeakG { get; } = peakG;
}
