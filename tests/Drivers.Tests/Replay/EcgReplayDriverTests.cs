namespace EdgeTwin.Drivers.Tests.Replay;

using EdgeTwin.Drivers.Model;
using EdgeTwin.Drivers.Replay;
using EdgeTwin.Drivers.Tests.Support;
using Microsoft.Extensions.Time.Testing;

public class EcgReplayDriverTests
{
    [Fact]
    public void Source_PlaysAt360Hz_AndReportsTheDetectedRate()
    {
        var recording = EcgRecording.MitBih208();
        var source = new EcgReplaySource("replay", recording, loop: false, SimRun.Start);
        var samples = new List<Sample>();
        source.EmitDue(SimRun.Start.AddMinutes(10), samples);

        var ecg = samples.Where(s => s.Stream.Code == StreamCodes.EcgLeadII.Code).ToList();
        var hr = samples.Where(s => s.Stream == StreamCodes.HeartRate).ToList();
        Assert.Equal(108_000, ecg.Count);
        Assert.Equal(360, ecg[0].Stream.NominalRateHz);
        Assert.Equal(SimRun.Start.AddSeconds(1), ecg[360].Timestamp);
        Assert.Equal(recording.Millivolts[12345], ecg[12345].Value);
        Assert.Equal(301, hr.Count);
        Assert.True(source.Finished);

        // No rate before two beats were seen; then about 100/min (record 208 runs at ~98/min).
        Assert.Null(hr[0].Value);
        var median = hr.Where(s => s.Value.HasValue).Select(s => s.Value!.Value).Order().ElementAt(hr.Count(s => s.Value.HasValue) / 2);
        Assert.InRange(median, 90, 110);
    }

    [Fact]
    public void Source_IsTheSame_HoweverChunked()
    {
        var recording = EcgRecording.MitBih208();
        var whole = new List<Sample>();
        new EcgReplaySource("r", recording, loop: true, SimRun.Start).EmitDue(SimRun.Start.AddSeconds(30), whole);

        var chunked = new List<Sample>();
        var source = new EcgReplaySource("r", recording, loop: true, SimRun.Start);
        for (var t = SimRun.Start; t <= SimRun.Start.AddSeconds(30); t = t.AddMilliseconds(43))
        {
            source.EmitDue(t, chunked);
        }

        source.EmitDue(SimRun.Start.AddSeconds(30), chunked);
        Assert.Equal(whole, chunked);
    }

    [Fact]
    public void Source_Looping_GoesOnPastTheEnd()
    {
        var recording = new EcgRecording("tiny", 360, [.. Enumerable.Range(0, 720).Select(i => i / 1000.0)]);
        var source = new EcgReplaySource("r", recording, loop: true, SimRun.Start);
        var samples = new List<Sample>();
        source.EmitDue(SimRun.Start.AddSeconds(5), samples);

        var ecg = samples.Where(s => s.Stream.Code == StreamCodes.EcgLeadII.Code).ToList();
        Assert.Equal(1801, ecg.Count);
        Assert.Equal(0.0, ecg[720].Value);
        Assert.False(source.Finished);
    }

    [Fact]
    public async Task Driver_WithoutLoop_EndsLost_AndKeepsRunningUntilStopped()
    {
        var time = new FakeTimeProvider(SimRun.Start);
        var recording = new EcgRecording("tiny", 360, [.. Enumerable.Repeat(0.1, 720)]);
        await using var driver = new EcgReplayDriver("replay-1", recording, loop: false, time, TimeSpan.FromMilliseconds(40));
        var sink = new CollectingSink();
        using var cts = new CancellationTokenSource();
        var run = driver.RunAsync(sink, cts.Token);

        time.Advance(TimeSpan.FromSeconds(5));
        await sink.WaitUntilAsync(s => s.Count(x => x.Stream == StreamCodes.HeartRate) == 3);
        using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            while (driver.Health != DeviceHealth.Lost)
            {
                await Task.Delay(10, wait.Token);
            }
        }

        Assert.False(run.IsCompleted);
        await cts.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(720, sink.Snapshot().Count(s => s.Stream.Code == StreamCodes.EcgLeadII.Code));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void Decode_RejectsEmptyOrOddInput(int length)
    {
        Assert.Throws<FormatException>(() => EcgRecording.FromUInt16LittleEndian("x", 360, new byte[length], 1024, 200));
    }

    [Fact]
    public void Decode_UsesBaselineAndGain()
    {
        var recording = EcgRecording.FromUInt16LittleEndian("x", 360, [0x00, 0x04, 0xC8, 0x04, 0x38, 0x03], 1024, 200);

        Assert.Equal([0.0, 1.0, -1.0], recording.Millivolts);
    }

    [Fact]
    public void MitBih208_StatesItsResolution_AndEverySampleIsAWholeNumberOfIt()
    {
        var recording = EcgRecording.MitBih208();

        Assert.Equal("0.005", recording.Ecg.Resolution);
        Assert.Equal(360, recording.Ecg.NominalRateHz);
        Assert.All(recording.Millivolts, mv => Assert.Equal(mv, Math.Round(mv * 200) / 200));
    }

    [Theory]
    [InlineData(200, "0.005")]
    [InlineData(1000, "0.001")]
    [InlineData(0.5, "2")]
    [InlineData(360, null)]
    [InlineData(3e6, null)]
    public void Decode_StatesAResolution_OnlyWhenOneUnitIsAShortDecimal(double unitsPerMillivolt, string? resolution)
    {
        var recording = EcgRecording.FromUInt16LittleEndian("x", 360, [0x00, 0x04], 1024, unitsPerMillivolt);

        Assert.Equal(resolution, recording.Ecg.Resolution);
    }
}
