namespace EdgeTwin.Drivers.Hardware;

/// <summary>
/// Re-probe delays for a lost device: 1 s doubling to 60 s, so a loose cable is found again quickly
/// and a removed sensor costs one bus transaction a minute.
/// </summary>
internal sealed record ProbeBackoff(TimeSpan First, TimeSpan Max)
{
    public static ProbeBackoff Default { get; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));

    public TimeSpan Delay(int failures)
    {
        var doublings = Math.Clamp(failures - 1, 0, 30);
        var delay = First * Math.Pow(2, doublings);
        return delay > Max ? Max : delay;
    }
}
