namespace EdgeTwin.Gateway.Tests.Pipeline;

using System.Threading.Channels;
using EdgeTwin.Drivers.Model;
using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Gateway.Pipeline;
using EdgeTwin.Gateway.Tests.Support;
using EdgeTwin.Telemetry.Compact;
using EdgeTwin.Telemetry.Wire;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

public class RecorderTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 16, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Run_BatchesPerStream_AtMostOneSecond_EverySampleOnce_WaveformsFirst()
    {
        using var temp = new TempDirectory();
        using var h = new BookHarness(temp.Path);
        var seen = new CountingObserver();
        var recorder = new Recorder(h.Book, [seen], new FixedPatient(), h.Time, h.Metrics, NullLogger<Recorder>.Instance);
        var channel = Channel.CreateUnbounded<Sample>();
        var ecg = new StreamCode("mdc:131330", "mV", StreamKind.Waveform, 250, "ECG");
        var hr = new StreamCode("loinc:8867-4", "/min", StreamKind.Vital, 1, "HR");
        for (var i = 0; i < 750; i++)
        {
            channel.Writer.TryWrite(new Sample("bed-1", ecg, T0.AddMilliseconds(4 * i), i == 10 ? double.NaN : i));
            if (i % 250 == 0)
            {
                channel.Writer.TryWrite(new Sample("bed-1", hr, T0.AddMilliseconds(4 * i), 70 + (i / 250)));
            }
        }

        // A jump in time breaks the grid: a new record starts.
        channel.Writer.TryWrite(new Sample("bed-1", ecg, T0.AddSeconds(10), 1));
        channel.Writer.Complete();
        await recorder.RunAsync(channel.Reader, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        var obs = h.Book.TakeBatch(out _).Records.Where(r => r.Kind == "obs").Select(Support.Records.Json).ToList();
        var ecgRecords = obs.Where(o => o.GetProperty("body").GetProperty("code").GetString() == "mdc:131330").ToList();
        Assert.Equal([250, 250, 250, 1], ecgRecords.Select(o => o.GetProperty("body").GetProperty("v").GetArrayLength()));
        Assert.All(ecgRecords.Take(3), o => Assert.Equal(4, o.GetProperty("body").GetProperty("dt").GetDouble()));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, ecgRecords[0].GetProperty("body").GetProperty("v")[10].ValueKind);
        Assert.Equal("2026-11-27T16:00:01.000Z", ecgRecords[1].GetProperty("body").GetProperty("t0").GetString());
        var hrRecords = obs.Where(o => o.GetProperty("body").GetProperty("code").GetString() == "loinc:8867-4").ToList();
        Assert.Equal(3, hrRecords.Count);
        Assert.All(hrRecords, o => Assert.Equal(0, o.GetProperty("body").GetProperty("dt").GetDouble()));
        Assert.Equal(751 + 3, seen.Count);
        Assert.Equal(751 + 3, obs.Sum(o => o.GetProperty("body").GetProperty("v").GetArrayLength()));
    }

    [Fact]
    public async Task Run_ObserverThrows_SampleStillRecorded()
    {
        using var temp = new TempDirectory();
        using var h = new BookHarness(temp.Path);
        var recorder = new Recorder(h.Book, [new ThrowingObserver()], new FixedPatient(), h.Time, h.Metrics, NullLogger<Recorder>.Instance);
        var channel = Channel.CreateUnbounded<Sample>();
        channel.Writer.TryWrite(new Sample("bed-1", new StreamCode("loinc:8867-4", "/min", StreamKind.Vital, 1, "HR"), T0, 70));
        channel.Writer.Complete();
        await recorder.RunAsync(channel.Reader, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Single(h.Book.TakeBatch(out _).Records, r => r.Kind == "obs");
    }

    [Fact]
    public async Task Run_RecordTheChainRejects_BecomesAnEventNotASilentLoss()
    {
        using var temp = new TempDirectory();
        using var h = new BookHarness(temp.Path);
        var recorder = new Recorder(h.Book, [], new FixedPatient(), h.Time, h.Metrics, NullLogger<Recorder>.Instance);
        var channel = Channel.CreateUnbounded<Sample>();
        channel.Writer.TryWrite(new Sample("bed-1", new StreamCode("", "/min", StreamKind.Vital, 1, "no code"), T0, 70));
        channel.Writer.Complete();
        await recorder.RunAsync(channel.Reader, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        var events = h.Book.TakeBatch(out _).Records.Where(r => r.Kind == "event").Select(Support.Records.Json).ToList();
        var rejected = Assert.Single(events);
        Assert.Equal("record-rejected", rejected.GetProperty("body").GetProperty("type").GetString());
        Assert.Equal(1, rejected.GetProperty("body").GetProperty("samples").GetInt32());
    }

    [Fact]
    public async Task Run_Compact_VitalsOfADeviceShareOneRecordPerInterval_WaveformsTheirOwn_StreamsWithoutAQuantumStayPlain()
    {
        using var temp = new TempDirectory();
        using var h = new BookHarness(temp.Path);
        var options = Options.Create(new RecorderOptions { Compact = true, VitalsInterval = TimeSpan.FromSeconds(30), WaveformsInterval = TimeSpan.FromSeconds(10) });
        var recorder = new Recorder(h.Book, [], new FixedPatient(), h.Time, h.Metrics, NullLogger<Recorder>.Instance, options);
        var channel = Channel.CreateUnbounded<Sample>();
        var unknown = new StreamCode("loinc:99999-9", "1", StreamKind.Vital, 1, "no quantum");
        var sent = new Dictionary<string, List<double?>>();
        void Send(StreamCode code, DateTimeOffset at, double? value)
        {
            channel.Writer.TryWrite(new Sample("bed-1", code, at, value));
            (sent.TryGetValue(code.Code, out var list) ? list : sent[code.Code] = []).Add(value);
        }

        for (var s = 0; s < 30; s++)
        {
            var at = T0.AddSeconds(s);
            Send(StreamCodes.HeartRate, at, 70 + (s % 7));
            Send(StreamCodes.SpO2, at, s == 5 ? null : 97);
            Send(StreamCodes.BodyTemperature, at.AddMilliseconds(200), 37.0 + (s * 0.01));
            Send(unknown, at, s);
            for (var i = 0; i < 250; i++)
            {
                Send(StreamCodes.EcgLeadII, at.AddMilliseconds(4 * i), Math.Round(Math.Sin(i / 10.0) * 1.2, 3));
            }
        }

        channel.Writer.Complete();
        await recorder.RunAsync(channel.Reader, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        var records = h.Book.TakeBatch(out _).Records.Where(r => r.Kind is "obs" or "obs-compact").ToList();
        var compact = records.Where(r => r.Kind == "obs-compact").Select(r => CompactBodyReader.TryRead(System.Text.Encoding.UTF8.GetBytes(Support.Records.Json(r).GetProperty("body").GetRawText()), out _)!).ToList();
        Assert.Equal(4, compact.Count);
        Assert.Equal([["mdc:131330"], ["mdc:131330"], ["mdc:131330"], ["loinc:8867-4", "loinc:59408-5", "loinc:8310-5"]], compact.Select(b => b.Streams.Select(s => s.Code).ToArray()));
        Assert.Equal([2500, 2500, 2500], compact.Take(3).Select(b => b.Streams[0].Values.Count));
        Assert.Equal(["2026-11-27T16:00:10.000Z", "2026-11-27T16:00:00.200Z"], [EtpTime.Format(compact[1].Streams[0].T0), EtpTime.Format(compact[3].Streams[2].T0)]);
        Assert.Equal(sent["mdc:131330"], compact.Take(3).SelectMany(b => b.Streams[0].Values));
        Assert.Equal(sent["loinc:8867-4"], compact[3].Streams[0].Values);
        Assert.Equal(sent["loinc:59408-5"], compact[3].Streams[1].Values);
        Assert.All(sent["loinc:8310-5"].Zip(compact[3].Streams[2].Values), p => Assert.Equal(p.First!.Value, p.Second!.Value, 0.005));
        Assert.Equal((1000.0, "0.01"), (compact[3].Streams[2].Dt, compact[3].Streams[2].Q.Text));
        Assert.Equal(30, records.Count(r => r.Kind == "obs"));
    }

    [Fact]
    public async Task Run_Compact_AStreamWhoseDriverStatesItsResolution_IsRecordedOnIt_EverySampleExact_EvenFinerThanTheTable()
    {
        using var temp = new TempDirectory();
        using var h = new BookHarness(temp.Path);
        var options = Options.Create(new RecorderOptions { Compact = true, VitalsInterval = TimeSpan.FromSeconds(10), WaveformsInterval = TimeSpan.FromSeconds(10), Quanta = ["mdc:150452="] });
        var recorder = new Recorder(h.Book, [], new FixedPatient(), h.Time, h.Metrics, NullLogger<Recorder>.Instance, options);
        var channel = Channel.CreateUnbounded<Sample>();
        var ecg = StreamCodes.EcgLeadII.AtResolution("0.005");
        var temperature = StreamCodes.BodyTemperature.AtResolution("0.001");
        var pleth = StreamCodes.Pleth.AtResolution("0.001");
        var sentEcg = new List<double?>();
        var sentTemperature = new List<double?>();
        for (var i = 0; i < 2500; i++)
        {
            // k / 200: the doubles a 200-units-per-mV source gives, with jumps of up to 8 mV between samples.
            double? mv = i % 97 == 0 ? null : (((i * 7919) % 3201) - 1600) / 200.0;
            sentEcg.Add(mv);
            channel.Writer.TryWrite(new Sample("bed-1", ecg, T0.AddMilliseconds(4 * i), mv));
            if (i % 250 == 0)
            {
                // 37.123 Cel: a thousandth the table's 0.01 would round away.
                sentTemperature.Add((37123 + (i / 250)) / 1000.0);
                channel.Writer.TryWrite(new Sample("bed-1", temperature, T0.AddMilliseconds(4 * i), sentTemperature[^1]));
                channel.Writer.TryWrite(new Sample("bed-1", pleth, T0.AddMilliseconds(4 * i), 0.5));
            }
        }

        channel.Writer.Complete();
        await recorder.RunAsync(channel.Reader, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        var records = h.Book.TakeBatch(out _).Records.Where(r => r.Kind is "obs" or "obs-compact").ToList();
        var streams = records.Where(r => r.Kind == "obs-compact")
            .SelectMany(r => CompactBodyReader.TryRead(System.Text.Encoding.UTF8.GetBytes(Support.Records.Json(r).GetProperty("body").GetRawText()), out _)!.Streams)
            .ToDictionary(s => s.Code);
        Assert.Equal(("0.005", "0.001"), (streams["mdc:131330"].Q.Text, streams["loinc:8310-5"].Q.Text));
        Assert.Equal(sentEcg, streams["mdc:131330"].Values);
        Assert.Equal(sentTemperature, streams["loinc:8310-5"].Values);

        // A code the settings take out stays plain, whatever its driver states.
        Assert.False(streams.ContainsKey("mdc:150452"));
        Assert.Equal(10, records.Count(r => r.Kind == "obs" && Support.Records.Json(r).GetProperty("body").GetProperty("code").GetString() == "mdc:150452"));
    }

    private sealed class CountingObserver : ISampleObserver
    {
        public int Count { get; private set; }

        public void OnSample(in Sample sample) => Count++;
    }

    private sealed class ThrowingObserver : ISampleObserver
    {
        public void OnSample(in Sample sample) => throw new InvalidOperationException("observer bug");
    }

    private sealed class FixedPatient : IPatientResolver
    {
        public string PatientOf(string deviceId) => "p-test";
    }
}
