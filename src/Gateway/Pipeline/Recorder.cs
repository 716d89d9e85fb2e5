namespace EdgeTwin.Gateway.Pipeline;

using System.Text.Json.Nodes;
using System.Threading.Channels;
using EdgeTwin.Drivers.Model;
using EdgeTwin.Gateway.Chains;
using EdgeTwin.Gateway.Diagnostics;
using EdgeTwin.Gateway.Privacy;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Wire;
using Microsoft.Extensions.Logging;

/// <summary>
/// The single consumer of the sample channel: shows each sample to the observers, then batches
/// it into a run per (device, stream) and appends the run as one <c>obs</c> record when it spans
/// a second, breaks the time grid, or reaches the size limit. Waveform runs are flushed before
/// vitals so that, under quota pressure, waveforms form contiguous runs a single gap can state.
/// </summary>
internal sealed class Recorder(
    IRecordAppender appender,
    IEnumerable<ISampleObserver> observers,
    IPatientResolver patients,
    TimeProvider time,
    GatewayMetrics metrics,
    ILogger<Recorder> logger)
{
    private static readonly TimeSpan MaxRunAge = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);
    private readonly ISampleObserver[] _observers = [.. observers];
    private readonly Dictionary<(string Device, string Code), StreamRun> _runs = [];

    /// <summary>Runs until the channel completes (drivers stopped), then records every open run.</summary>
    public async Task RunAsync(ChannelReader<Sample> reader, CancellationToken cancellationToken)
    {
        Task<bool>? waiting = null;
        while (true)
        {
            var count = 0;
            while (reader.TryRead(out var sample))
            {
                Accept(sample);
                count++;
            }

            if (count > 0)
            {
                metrics.Samples(count);
            }

            FlushOlderThan(MaxRunAge);
            if (reader.Completion.IsCompleted)
            {
                break;
            }

            waiting ??= reader.WaitToReadAsync(cancellationToken).AsTask();
            var tick = Task.Delay(Tick, time, cancellationToken);
            if (await Task.WhenAny(waiting, tick).ConfigureAwait(false) == waiting)
            {
                if (!await waiting.ConfigureAwait(false))
                {
                    break;
                }

                waiting = null;
            }
        }

        while (reader.TryRead(out var rest))
        {
            Accept(rest);
        }

        FlushOlderThan(TimeSpan.MinValue);
    }

    private void Accept(in Sample sample)
    {
        foreach (var observer in _observers)
        {
            try
            {
                observer.OnSample(sample);
            }
            catch (Exception ex)
            {
                metrics.Rejected("observer");
                GatewayLog.ObserverFailed(logger, observer.GetType().Name, ex);
            }
        }

        // A run holds one patient's samples: a change of stay at this sample's time ends it. A
        // sample the patient has not consented to publish (or of a disabled device) is not recorded.
        var attribution = patients.Attribute(sample);
        var key = (sample.DeviceId, sample.Stream.Code);
        if (_runs.TryGetValue(key, out var run) && (!run.Accepts(sample) || run.Patient != attribution.Patient || !attribution.MayPublish))
        {
            Record(run);
            run = null;
        }

        if (!attribution.MayPublish)
        {
            return;
        }

        if (run is null)
        {
            run = new StreamRun(sample.DeviceId, sample.Stream, sample.Timestamp, time.GetTimestamp()) { Patient = attribution.Patient };
            _runs[key] = run;
        }

        run.Add(sample);
    }

    private void FlushOlderThan(TimeSpan age)
    {
        if (_runs.Count == 0)
        {
            return;
        }

        var due = _runs.Values
            .Where(r => age == TimeSpan.MinValue || time.GetElapsedTime(r.OpenedAt) >= age)
            .OrderBy(r => r.Stream.Kind == StreamKind.Waveform ? 0 : 1)
            .ToList();
        foreach (var run in due)
        {
            Record(run);
        }
    }

    private void Record(StreamRun run)
    {
        _runs.Remove((run.DeviceId, run.Stream.Code));
        Append(run, run.T0, run.Values);
    }

    private void Append(StreamRun run, DateTimeOffset t0, List<double?> values)
    {
        var body = new ObsBody(run.Patient ?? patients.PatientOf(run.DeviceId), run.DeviceId, run.Stream.Code, run.Stream.Unit, t0,
            values.Count > 1 ? run.DtMs : 0, values);
        var recordClass = StreamClasses.Eviction(StreamClasses.Of(run.Stream));
        try
        {
            appender.AppendObs(body, recordClass);
        }
        catch (RecordTooLargeException) when (values.Count > 1)
        {
            // Larger numbers than budgeted: split the run in two, each on the same time grid.
            var half = values.Count / 2;
            Append(run, t0, values[..half]);
            Append(run, t0.AddMilliseconds(half * run.DtMs), values[half..]);
        }
        catch (ArgumentException ex)
        {
            metrics.Rejected(RecordKinds.Obs);
            GatewayLog.RecordRejected(logger, values.Count, run.DeviceId, run.Stream.Code, ex);
            appender.AppendEvent("record-rejected", new JsonObject
            {
                ["device"] = run.DeviceId,
                ["code"] = run.Stream.Code,
                ["t0"] = EtpTime.Format(t0),
                ["samples"] = values.Count,
                ["error"] = ex.Message,
            });
        }
    }
}
