namespace EdgeTwin.Ingest.Access;

using EdgeTwin.Hosting;

/// <summary>
/// One log line per refusal reason (401) or refused caller (403) and 10 s: anyone can reach the ingest's
/// port, and someone guessing tokens must not flood the journal. Every refusal is still counted
/// (<c>edgetwin.ingest.http.refused</c>); the next line says how many were held back.
/// </summary>
internal sealed class RefusalLogThrottle(TimeProvider time)
{
    public LogThrottle Throttle { get; } = new(time, TimeSpan.FromSeconds(10));
}
