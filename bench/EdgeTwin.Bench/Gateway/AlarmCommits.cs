namespace EdgeTwin.Bench.Gateway;

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using EdgeTwin.Gateway.Chains;
using EdgeTwin.Outbox;
using EdgeTwin.Telemetry.Records;

/// <summary>
/// A commit listener beside the uplink: the Stopwatch time each alarm record of the bench trigger
/// became durable, with its seq and state, so a latency splits into "until committed" and
/// "committed until PUBACK".
/// </summary>
internal sealed class AlarmCommits : ICommitListener
{
    private readonly ConcurrentQueue<(long Seq, string State, long At)> _trigger = new();

    public void OnCommitted(IReadOnlyList<StoredRecord> records)
    {
        var now = Stopwatch.GetTimestamp();
        foreach (var r in records)
        {
            if (r.Lane != Lane.Alarm || r.Kind != "alarm")
            {
                continue;
            }

            using var doc = JsonDocument.Parse(r.Payload);
            var body = doc.RootElement.GetProperty("body");
            // Only the threshold alarm: the trigger's vitals also feed NEWS2, whose band alarms come and go with the rounds.
            if (body.GetProperty("device").GetString() == TriggerDriver.DeviceId && body.GetProperty("condition").GetString() == "hr-high")
            {
                _trigger.Enqueue((r.Seq, body.GetProperty("state").GetString()!, now));
            }
        }
    }

    /// <summary>Waits for the trigger's next committed alarm record; null when none came in time or it had another state.</summary>
    public (long Seq, long At)? Next(string state, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (_trigger.TryDequeue(out var c))
            {
                return c.State == state ? (c.Seq, c.At) : null;
            }

            Thread.Sleep(1);
        }

        return null;
    }
}
