namespace EdgeTwin.Gateway.Tests.Alarms;

using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using EdgeTwin.Gateway.Chains;
using EdgeTwin.Outbox;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;

/// <summary>Keeps the alarm bodies appended; other lanes are not expected from the alarm service.</summary>
internal sealed class RecordingAlarmAppender : IRecordAppender
{
    public ConcurrentQueue<AlarmBody> Alarms { get; } = new();

    public ChainRecord AppendAlarm(AlarmBody body)
    {
        Alarms.Enqueue(body);
        return new ChainRecord(Lane.Alarm, new string('a', 32), Alarms.Count, "alarm", new string('0', 64), new string('1', 64), []);
    }

    public ChainRecord AppendEvent(string type, JsonObject? fields) => throw new InvalidOperationException("the alarm service appends no events");

    public ChainRecord? AppendObs(ObsBody body, RecordClass recordClass) => throw new InvalidOperationException("the alarm service appends no obs");

    public ChainRecord? AppendObsCompact(CompactObsBody body, RecordClass recordClass) => throw new InvalidOperationException("the alarm service appends no obs");
}
