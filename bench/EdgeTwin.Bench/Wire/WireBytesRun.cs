namespace EdgeTwin.Bench.Wire;

using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
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
/// or 1 s, timed by the samples' own clock), plain against compact; the process CPU time per sample of
/// recorder and chain writer; and what link compression (<see cref="LinkCompression"/>) would save on
/// the same payloads. Bytes are deterministic (simulated time, no I/O); CPU time is the least of
/// <see cref="CpuRepeats"/> runs of the same samples.
/// </summary>
internal static class WireBytesRun
{
    /// <summary>Each profile's recording is timed this many times; the least CPU time counts (JIT and a busy neighbour only add).</summary>
    public const int CpuRepeats = 3;

    private static readonly DateTimeOffset Start = new(2026, 11, 27, 16, 0, 0, TimeSpan.Zero);

    /// <param name="compression">Also compress every payload (<see cref="LinkCompression"/>; about a minute more).</param>
    public static int Run(int beds, int seconds, bool compression, TextWriter output)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wire-bytes: default simulator (stable scenario), {seconds} s simulated; payload bytes of every telemetry record incl. genesis and checkpoints; CPU: least of {CpuRepeats} runs"));
        output.WriteLine("profile                                  | samples   | records | checkpoints | bytes      | B/sample | waveform B/sample | MB/bed-day | CPU µs/sample | CPU vs plain");
        var ward = SimulatedBedSettings.Default;
        var wardPlain = Report(output, "ward, plain (default)", beds, seconds, ward, new RecorderOptions(), null);
        Report(output, "ward, compact 1 s", beds, seconds, ward, new RecorderOptions { Compact = true }, wardPlain);
        var waveforms10 = Report(output, "ward, compact vitals 1 s, waveforms 10 s", beds, seconds, ward, new RecorderOptions { Compact = true, WaveformsInterval = TimeSpan.FromSeconds(10) }, wardPlain);
        var wardCompact = Report(output, "ward, compact 10 s / 20 s (ward-compact)", beds, seconds, ward, Preset(10, 20), wardPlain);
        var vitalsOnly = SimulatedBedSettings.Default with { EcgRateHz = 0, PlethRateHz = 0 };
        var homePlain = Report(output, "home vitals-only, plain", 1, seconds, vitalsOnly, new RecorderOptions(), null);
        Report(output, "home vitals-only, compact 10 s", 1, seconds, vitalsOnly, new RecorderOptions { Compact = true, VitalsInterval = TimeSpan.FromSeconds(10) }, homePlain);
        var homeCompact = Report(output, "home vitals-only, compact 30 s (profile)", 1, seconds, vitalsOnly, Preset(30, 10), homePlain);
        output.WriteLine();
        output.WriteLine("waveform B/sample per stream (its stream object in the record, plus the rest of the record shared by samples):");
        foreach (var (name, run) in new[] { ("waveforms 10 s", waveforms10), ("waveforms 20 s (ward-compact)", wardCompact) })
        {
            output.WriteLine($"  {name}: " + string.Join(", ", PerStream(run.Payloads).Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value:F2}"))));
        }

        if (!compression)
        {
            return 0;
        }

        // A preset dictionary both ends would ship: records of another ward (other seeds), never the measured ones.
        var dictionary = LinkCompression.Dictionary(Record(beds, 60, ward, new RecorderOptions(), seed: 9000).Payloads, Record(beds, 60, ward, Preset(10, 20), seed: 9000).Payloads);
        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"link compression of the same payloads, bytes (and vs uncompressed); each record compressed alone, as each MQTT message would be, unless said; preset dictionary {dictionary.Length} bytes of records of another ward"));
        output.WriteLine("profile                                  | uncompressed | " + string.Join(" | ", LinkCompression.Methods.Select(m => m.Name)));
        foreach (var (name, run) in new[] { ("ward, plain (default)", wardPlain), ("ward, compact 10 s / 20 s (ward-compact)", wardCompact), ("home vitals-only, plain", homePlain), ("home vitals-only, compact 30 s (profile)", homeCompact) })
        {
            var cells = LinkCompression.Methods.Select(m => m.Measure(run.Payloads, dictionary)).Select(b => string.Create(CultureInfo.InvariantCulture, $"{b} ({b / (double)run.Bytes:P0})"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-40} | {run.Bytes,12} | {string.Join(" | ", cells)}"));
        }

        return 0;
    }

    /// <summary>
    /// Bytes per sample of each waveform stream in <c>obs-compact</c> records: the stream's own object
    /// (header and sample text), plus the rest of its record (envelope, patient, device) shared by the
    /// record's samples.
    /// </summary>
    private static SortedDictionary<string, double> PerStream(List<byte[]> payloads)
    {
        var bytes = new Dictionary<string, double>();
        var samples = new Dictionary<string, long>();
        foreach (var payload in payloads)
        {
            using var doc = JsonDocument.Parse(payload);
            if (doc.RootElement.GetProperty("kind").GetString() != RecordKinds.ObsCompact)
            {
                continue;
            }

            var streams = doc.RootElement.GetProperty("body").GetProperty("streams").EnumerateArray()
                .Select(s => (Code: s.GetProperty("code").GetString()!, Bytes: Encoding.UTF8.GetByteCount(s.GetRawText()) + 1, N: s.GetProperty("n").GetInt32()))
                .ToList();
            if (!streams.All(s => s.Code.StartsWith("mdc:", StringComparison.Ordinal)))
            {
                continue;
            }

            var shared = payload.Length - streams.Sum(s => s.Bytes);
            var n = streams.Sum(s => s.N);
            foreach (var s in streams)
            {
                bytes[s.Code] = bytes.GetValueOrDefault(s.Code) + s.Bytes + (shared * s.N / (double)n);
                samples[s.Code] = samples.GetValueOrDefault(s.Code) + s.N;
            }
        }

        return new SortedDictionary<string, double>(bytes.ToDictionary(b => b.Key, b => b.Value / samples[b.Key]), StringComparer.Ordinal);
    }

    /// <summary>The shipped compact settings (hardware/profiles/ward-compact.json, home-care.json).</summary>
    private static RecorderOptions Preset(int vitalsSeconds, int waveformsSeconds) =>
        new() { Compact = true, VitalsInterval = TimeSpan.FromSeconds(vitalsSeconds), WaveformsInterval = TimeSpan.FromSeconds(waveformsSeconds) };

    private static WireRun Report(TextWriter output, string name, int beds, int seconds, SimulatedBedSettings settings, RecorderOptions options, WireRun? plain)
    {
        var run = Record(beds, seconds, settings, options, seed: 1000);
        var waveformBytes = run.WaveformBytes;
        var perDay = run.Bytes / (double)seconds * 86400 / beds / 1e6;
        var cpu = run.CpuPerSample.TotalMicroseconds;
        var ratio = plain is null ? "1.00" : (cpu / plain.CpuPerSample.TotalMicroseconds).ToString("F2", CultureInfo.InvariantCulture);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-40} | {run.Samples,9} | {run.Records,7} | {run.Checkpoints,11} | {run.Bytes,10} | {run.Bytes / (double)run.Samples,8:F2} | {(run.WaveformSamples == 0 ? "-" : (waveformBytes / (double)run.WaveformSamples).ToString("F2", CultureInfo.InvariantCulture)),17} | {perDay,10:F1} | {cpu,13:F2} | {ratio,12}"));
        return run;
    }

    /// <summary>The samples of <paramref name="beds"/> simulated beds, recorded <see cref="CpuRepeats"/> times (bytes of the last; all are the same).</summary>
    private static WireRun Record(int beds, int seconds, SimulatedBedSettings settings, RecorderOptions options, int seed)
    {
        var samples = new List<Sample>();
        for (var bed = 0; bed < beds; bed++)
        {
            new BedSignalGenerator($"sim-{bed}", ScenarioCatalog.Find("stable"), seed + bed, settings, Start).EmitDue(Start.AddSeconds(seconds).AddTicks(-1), samples);
        }

        samples.Sort((a, b) => a.Timestamp.CompareTo(b.Timestamp));
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new GatewayMetrics(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        CollectingAppender? appender = null;
        var cpu = TimeSpan.MaxValue;
        using var process = Process.GetCurrentProcess();
        for (var i = 0; i < CpuRepeats; i++)
        {
            appender = new CollectingAppender();
            var recorder = new Recorder(appender, [], new OnePatient(), new FrozenTime(), metrics, NullLogger<Recorder>.Instance, Options.Create(options));
            var channel = Channel.CreateUnbounded<Sample>();
            samples.ForEach(s => channel.Writer.TryWrite(s));
            channel.Writer.Complete();
            process.Refresh();
            var before = process.TotalProcessorTime;
            recorder.RunAsync(channel.Reader, CancellationToken.None).GetAwaiter().GetResult();
            appender.Finish();
            process.Refresh();
            cpu = TimeSpan.FromTicks(Math.Min(cpu.Ticks, (process.TotalProcessorTime - before).Ticks));
        }

        return new WireRun(samples.Count, samples.Count(s => s.Stream.Kind == StreamKind.Waveform), appender!.Records, appender.Checkpoints, appender.Bytes, appender.WaveformBytes, cpu / samples.Count, appender.Payloads);
    }

    private sealed record WireRun(int Samples, int WaveformSamples, int Records, int Checkpoints, long Bytes, long WaveformBytes, TimeSpan CpuPerSample, List<byte[]> Payloads);

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

        public List<byte[]> Payloads { get; } = [];

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
            Payloads.Add(record.Payload);
            Records++;
            Checkpoints += record.Kind == RecordKinds.Checkpoint ? 1 : 0;
            WaveformBytes += waveform ? record.Payload.Length : 0;
        }
    }
}
