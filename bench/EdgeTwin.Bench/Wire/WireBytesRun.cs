namespace EdgeTwin.Bench.Wire;

using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using EdgeTwin.Drivers.Model;
using EdgeTwin.Drivers.Simulation;
using EdgeTwin.Gateway.Chains;
using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Gateway.Diagnostics;
using EdgeTwin.Gateway.Pipeline;
using EdgeTwin.Outbox;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Signing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

/// <summary>
/// <c>wire-bytes</c>: telemetry payload bytes per sample of the default simulator, through the real
/// <see cref="Recorder"/> and <see cref="ChainWriter"/> (checkpoints on the default cadence, 256 records
/// or 1 s, timed by the samples' own clock), plain against compact. Deterministic: simulated time, no I/O.
/// </summary>
internal static class WireBytesRun
{
    private static readonly DateTimeOffset Start = new(2026, 11, 27, 16, 0, 0, TimeSpan.Zero);

    public static int Run(int beds, int seconds, TextWriter output)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wire-bytes: default simulator (stable scenario), {seconds} s simulated; payload bytes of every telemetry record incl. genesis and checkpoints"));
        output.WriteLine("profile                                  | samples   | records | checkpoints | bytes      | B/sample | waveform B/sample | MB/bed-day");
        Report(output, "ward, plain (default)", beds, seconds, SimulatedBedSettings.Default, new RecorderOptions());
        Report(output, "ward, compact 1 s", beds, seconds, SimulatedBedSettings.Default, new RecorderOptions { Compact = true });
        Report(output, "ward, compact vitals 1 s, waveforms 10 s", beds, seconds, SimulatedBedSettings.Default, new RecorderOptions { Compact = true, WaveformsInterval = TimeSpan.FromSeconds(10) });
        var vitalsOnly = SimulatedBedSettings.Default with { EcgRateHz = 0, PlethRateHz = 0 };
        Report(output, "home vitals-only, plain", 1, seconds, vitalsOnly, new RecorderOptions());
        Report(output, "home vitals-only, compact 10 s", 1, seconds, vitalsOnly, new RecorderOptions { Compact = true, VitalsInterval = TimeSpan.FromSeconds(10) });
        Report(output, "home vitals-only, compact 30 s (profile)", 1, seconds, vitalsOnly, new RecorderOptions { Compact = true, VitalsInterval = TimeSpan.FromSeconds(30), WaveformsInterval = TimeSpan.FromSeconds(10) });
        return 0;
    }

    private static void Report(TextWriter output, string name, int beds, int seconds, SimulatedBedSettings settings, RecorderOptions options)
    {
        var samples = new List<Sample>();
        for (var bed = 0; bed < beds; bed++)
        {
            new BedSignalGenerator($"sim-{bed}", ScenarioCatalog.Find("stable"), 1000 + bed, settings, Start).EmitDue(Start.AddSeconds(seconds).AddTicks(-1), samples);
        }

        samples.Sort((a, b) => a.Timestamp.CompareTo(b.Timestamp));
        var appender = new CollectingAppender();
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var recorder = new Recorder(appender, [], new OnePatient(), new FrozenTime(), new GatewayMetrics(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()), NullLogger<Recorder>.Instance, Options.Create(options));
        var channel = Channel.CreateUnbounded<Sample>();
        samples.ForEach(s => channel.Writer.TryWrite(s));
        channel.Writer.Complete();
        recorder.RunAsync(channel.Reader, CancellationToken.None).GetAwaiter().GetResult();
        appender.Finish();

        var waveformSamples = samples.Count(s => s.Stream.Kind == StreamKind.Waveform);
        var waveformBytes = appender.WaveformBytes;
        var perDay = appender.Bytes / (double)seconds * 86400 / beds / 1e6;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-40} | {samples.Count,9} | {appender.Records,7} | {appender.Checkpoints,11} | {appender.Bytes,10} | {appender.Bytes / (double)samples.Count,8:F2} | {(waveformSamples == 0 ? "-" : (waveformBytes / (double)waveformSamples).ToString("F2", CultureInfo.InvariantCulture)),17} | {perDay,10:F1}"));
    }

    /// <summary>The monotonic clock stands still: records are cut by their span on the samples' grid, as when the box keeps up.</summary>
    private sealed class FrozenTime : TimeProvider
    {
        public override long GetTimestamp() => 0;
    }

    private sealed class OnePatient : IPatientResolver
    {
        public string PatientOf(string deviceId) => "p-3f9a2c0b1d2e";
    }

    /// <summary>The real chain writer with the default checkpoint cadence, timed by the records' sample times; counts bytes.</summary>
    private sealed class CollectingAppender : IRecordAppender
    {
        private readonly GatewayKey _key = GatewayKey.FromPrivateKeyHex("0x" + new string('2', 64));
        private readonly ChainWriter _writer;
        private DateTimeOffset _now = Start;

        public CollectingAppender()
        {
            _writer = ChainWriter.StartNew("home-0001", Lane.Telemetry, _key, new CheckpointPolicy(), GenesisReason.FirstStart, "bench", Start, ClockQuality.Synced, out var genesis);
            Count(genesis, waveform: false);
        }

        public long Bytes { get; private set; }

        public long WaveformBytes { get; private set; }

        public int Records { get; private set; }

        public int Checkpoints { get; private set; }

        public ChainRecord AppendAlarm(AlarmBody body) => throw new InvalidOperationException("no alarms here");

        public ChainRecord AppendEvent(string type, JsonObject? fields) => Add(_writer.AppendEvent(type, fields, _now, ClockQuality.Synced), false);

        public ChainRecord? AppendObs(ObsBody body, RecordClass recordClass) =>
            Add(Advance(body.T0.AddMilliseconds(body.Dt * body.Values.Count)).AppendObs(body, _now, ClockQuality.Synced), recordClass == RecordClass.Waveform);

        public ChainRecord? AppendObsCompact(CompactObsBody body, RecordClass recordClass) =>
            Add(Advance(body.Streams.Max(s => s.T0.AddMilliseconds(s.Dt * s.Values.Count))).AppendObsCompact(body, _now, ClockQuality.Synced), recordClass == RecordClass.Waveform);

        public void Finish()
        {
            if (_writer.Checkpoint(_now, ClockQuality.Synced) is { } last)
            {
                Count(last, waveform: false);
            }

            _key.Dispose();
        }

        /// <summary>A record is made when its run ends; a checkpoint due by then comes first.</summary>
        private ChainWriter Advance(DateTimeOffset end)
        {
            _now = end > _now ? end : _now;
            if (_writer.CheckpointIfDue(_now, ClockQuality.Synced) is { } cp)
            {
                Count(cp, waveform: false);
            }

            return _writer;
        }

        private ChainRecord Add(ChainRecord record, bool waveform)
        {
            Count(record, waveform);
            return record;
        }

        private void Count(ChainRecord record, bool waveform)
        {
            Bytes += record.Payload.Length;
            Records++;
            Checkpoints += record.Kind == RecordKinds.Checkpoint ? 1 : 0;
            WaveformBytes += waveform ? record.Payload.Length : 0;
        }
    }
}
