namespace EdgeTwin.Drivers.Hardware;

/// <param name="ReadTimeout">A read that takes longer has failed (a hung bus, clock stretching gone wrong).</param>
/// <param name="FailuresBeforeLost">Consecutive failed reads that turn Degraded into Lost.</param>
internal sealed record PolledSensorOptions(TimeSpan ReadTimeout, int FailuresBeforeLost, ProbeBackoff Backoff)
{
    public static PolledSensorOptions Default { get; } = new(TimeSpan.FromMilliseconds(500), 3, ProbeBackoff.Default);
}
