namespace EdgeTwin.Gateway.Tests.Pipeline;

using System.Threading.Channels;
using EdgeTwin.Drivers.Model;
using EdgeTwin.Gateway.Pipeline;
using EdgeTwin.Gateway.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

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
