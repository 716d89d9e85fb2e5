namespace EdgeTwin.Gateway.Chains;

using System.Text.Json.Nodes;
using EdgeTwin.Outbox;
using EdgeTwin.Telemetry.Wire;

/// <summary>
/// What the outbox could not take while the disk was full: observation records (runs) and their
/// samples, by class, since when and why. Stated in the chain as a <c>storage-full</c> event when
/// space returns. Used under <see cref="ChainBook"/>'s lock.
/// </summary>
internal sealed class NotKept(string reason, DateTimeOffset since)
{
    public string Reason { get; } = reason;

    public DateTimeOffset Since { get; } = since;

    public long WaveformRecords { get; private set; }

    public long VitalRecords { get; private set; }

    public long Samples { get; private set; }

    public long Records => WaveformRecords + VitalRecords;

    public void Count(RecordClass recordClass, int samples)
    {
        if (recordClass == RecordClass.Waveform)
        {
            WaveformRecords++;
        }
        else
        {
            VitalRecords++;
        }

        Samples += samples;
    }

    public JsonObject ToEvent(DateTimeOffset until) => new()
    {
        ["reason"] = Reason,
        ["since"] = Format(Since),
        ["until"] = Format(until),
        ["obsNotKept"] = Records,
        ["waveformObs"] = WaveformRecords,
        ["vitalObs"] = VitalRecords,
        ["samplesNotKept"] = Samples,
    };

    private static string Format(DateTimeOffset t) => EtpTime.Format(t);
}
