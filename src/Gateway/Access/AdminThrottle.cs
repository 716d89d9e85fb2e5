namespace EdgeTwin.Gateway.Access;

using EdgeTwin.Hosting;

/// <summary>One log line per refusal reason and 10 s: someone guessing tokens must not flood the journal (every refusal is still counted).</summary>
internal sealed class AdminThrottle(TimeProvider time)
{
    public LogThrottle Throttle { get; } = new(time, TimeSpan.FromSeconds(10));
}
