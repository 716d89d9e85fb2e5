namespace EdgeTwin.Gateway.Pipeline;

using System.Text.Json.Nodes;
using System.Threading.Channels;
using EdgeTwin.Drivers.Model;
using EdgeTwin.Gateway.Chains;
using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Gateway.Diagnostics;
using EdgeTwin.Gateway.Privacy;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Compact;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Wire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

/// <summary>
/// The single consumer of the sample channel: shows each sample to the observers, then batches
/// it into a run per (device, stream) and appends the run as one <c>obs</c> record when it spans
/// a second, breaks the time grid, or reaches the size limit. Waveform runs are flushed before
/// vitals so that, under quota pressure, waveforms form contiguous runs a single gap can state.
/// With <see cref="RecorderOptions.Compact"/>, a run spans its class's interval, and the runs of one
/// device and class that are due together become one <c>obs-compact</c> record (streams without a
/// quantum stay plain).
/// </summary>
internal sealed class Recorder(
    IRecordAppender appender,
    IEnumerable<ISampleObserver> observers,
    IPatientResolver patients,
    TimeProvider time,
    GatewayMetrics metrics,
    ILogger<Recorder> logger,
    IOptions<RecorderOptions>? options = null)
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);
    private readonly ISampleObserver[] _observers = [.. observers];
    private readonly Dictionary<(string Device, string Code), StreamRun> _runs = [];
    private readonly RecorderOptions _options = options?.Value ?? new RecorderOptions();
    private readonly QuantumTable _quanta = QuantumTable.Build(options?.Value.Quanta ?? []);

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

            FlushDue(all: false);
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

        FlushDue(all: true);
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
            run = _options.Compact && _quanta.TryGet(sample.Stream, out _)
                ? new StreamRun(sample.DeviceId, sample.Stream, sample.Timestamp, time.GetTimestamp(), IntervalOf(sample.Stream).TotalMilliseconds, StreamRun.MaxCompactValues) { Patient = attribution.Patient }
                : new StreamRun(sample.DeviceId, sample.Stream, sample.Timestamp, time.GetTimestamp()) { Patient = attribution.Patient };
            _runs[key] = run;
        }

        run.Add(sample);
    }

    /// <summary>A plain run spans a second; a compact one its class's interval.</summary>
    private TimeSpan IntervalOf(StreamCode stream) =>
        !_options.Compact || !_quanta.TryGet(stream, out _) ? TimeSpan.FromSeconds(1)
        : stream.Kind == StreamKind.Waveform ? _options.WaveformsInterval : _options.VitalsInterval;

    private void FlushDue(bool all)
    {
        if (_runs.Count == 0)
        {
            return;
        }

        var due = _runs.Values
            .Where(r => all || time.GetElapsedTime(r.OpenedAt) >= IntervalOf(r.Stream))
            .OrderBy(r => r.Stream.Kind == StreamKind.Waveform ? 0 : 1)
            .ToList();
        foreach (var run in due.Where(r => !IsCompact(r)))
        {
            Record(run);
        }

        // One record per device, patient and class: the vitals of a device due together travel together.
        foreach (var group in due.Where(IsCompact).GroupBy(r => (r.DeviceId, r.Patient, StreamClasses.Of(r.Stream))))
        {
            foreach (var run in group)
            {
                _runs.Remove((run.DeviceId, run.Stream.Code));
            }

            AppendCompact([.. group.Select(r => (r, r.T0, r.Values))]);
        }
    }

    private bool IsCompact(StreamRun run) => _options.Compact && _quanta.TryGet(run.Stream, out _);

    private void Record(StreamRun run)
    {
        _runs.Remove((run.DeviceId, run.Stream.Code));
        if (IsCompact(run))
        {
            // Its interval is over: the device's other runs of the class end with it, so they travel together.
            var group = _runs.Values.Where(r => IsCompact(r) && r.DeviceId == run.DeviceId && r.Patient == run.Patient && StreamClasses.Of(r.Stream) == StreamClasses.Of(run.Stream)).ToList();
            group.ForEach(r => _runs.Remove((r.DeviceId, r.Stream.Code)));
            AppendCompact([(run, run.T0, run.Values), .. group.Select(r => (r, r.T0, r.Values))]);
        }
        else
        {
            Append(run, run.T0, run.Values);
        }
    }

    private void AppendCompact(List<(StreamRun Run, DateTimeOffset T0, List<double?> Values)> parts)
    {
        var first = parts[0].Run;
        var streams = parts.Select(p => new CompactStream(p.Run.Stream.Code, p.Run.Stream.Unit, Quantum(p.Run), p.T0, p.Values.Count > 1 ? p.Run.DtMs : 0, p.Values)).ToList();
        var body = new CompactObsBody(first.Patient ?? patients.PatientOf(first.DeviceId), first.DeviceId, streams);
        try
        {
            appender.AppendObsCompact(body, StreamClasses.Eviction(StreamClasses.Of(first.Stream)));
        }
        catch (RecordTooLargeException) when (parts.Count > 1)
        {
            parts.ForEach(p => AppendCompact([p]));
        }
        catch (RecordTooLargeException) when (parts[0].Values.Count > 1)
        {
            var (run, t0, values) = parts[0];
            var half = values.Count / 2;
            AppendCompact([(run, t0, values[..half])]);
            AppendCompact([(run, t0.AddMilliseconds(half * run.DtMs), values[half..])]);
        }
        catch (ArgumentException)
        {
            // A sample beyond 2^53-1 quanta (docs/protocol.md §4): these runs go plain, where any double fits.
            parts.ForEach(p => Append(p.Run, p.T0, p.Values));
        }
    }

    private Quantum Quantum(StreamRun run) => _quanta.TryGet(run.Stream, out var q) ? q : throw new InvalidOperationException($"no quantum for {run.Stream.Code}");

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
