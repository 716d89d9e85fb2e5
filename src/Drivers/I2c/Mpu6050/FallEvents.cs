namespace EdgeTwin.Drivers.I2c.Mpu6050;

/// <summary>
/// Where every fall sensor of the box reports. Falls are events, not a sampled stream, so they do
/// not go through the sample sink; the alarm logic subscribes here (<see cref="Configuration.DriverFactory.Falls"/>).
/// </summary>
public sealed class FallEvents
{
    public event EventHandler<FallDetectedEventArgs>? FallDetected;

    internal void Raise(FallDetectedEventArgs fall) => FallDetected?.Invoke(this, fall);
}
