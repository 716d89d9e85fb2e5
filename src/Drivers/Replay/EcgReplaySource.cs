namespace EdgeTwin.Drivers.Replay;

using EdgeTwin.Drivers.Model;
using EdgeTwin.Drivers.Scheduling;
using EdgeTwin.Drivers.Signal;

/// <summary>
/// A recording on the sample grid from a start time, plus the heart rate a QRS detector derives
/// from it at each whole second. The detector only sees samples up to the second it reports, so the
/// rate is causal and independent of how the work is chunked.
/// </summary>
internal sealed class EcgReplaySource : IGridSource
{
    private readonly string _deviceId;
    private readonly EcgRecording _recording;
    private readonly bool _loop;
    private readonly QrsDetector _detector;
    private readonly HeartRateTracker _rate = new();
    private readonly List<long> _beats = [];
    private long _nextEcg;
    private long _nextRate;

    public EcgReplaySource(string deviceId, EcgRecording recording, bool loop, DateTimeOffset start)
    {
        _deviceId = deviceId;
        _recording = recording;
        _loop = loop;
        _detector = new QrsDetector(recording.SampleRateHz);
        Ecg = recording.Ecg;
        Start = start;
    }

    public StreamCode Ecg { get; }

    public DateTimeOffset Start { get; }

    /// <summary>Without looping: every sample played and the rate reported up to the recording's last second.</summary>
    public bool Finished => !_loop && _nextEcg >= _recording.Millivolts.Count && _nextRate * _recording.SampleRateHz > _recording.Millivolts.Count;

    public long BeatCount => _detector.BeatCount;

    public void EmitDue(DateTimeOffset until, List<Sample> into)
    {
        while (!Finished)
        {
            var rateTime = Start.AddSeconds(_nextRate);
            var ecgLimit = (long)Math.Floor(_nextRate * _recording.SampleRateHz);
            if (rateTime > until)
            {
                EmitEcg(until, long.MaxValue, into);
                return;
            }

            EmitEcg(until, ecgLimit, into);
            into.Add(new Sample(_deviceId, StreamCodes.HeartRate, rateTime, _rate.RateAt(_nextRate) is { } bpm ? Math.Round(bpm) : null));
            _nextRate++;
        }
    }

    /// <summary>ECG samples up to and including index <paramref name="lastIndex"/> and time <paramref name="until"/>.</summary>
    private void EmitEcg(DateTimeOffset until, long lastIndex, List<Sample> into)
    {
        var count = _recording.Millivolts.Count;
        while (_nextEcg <= lastIndex && (_loop || _nextEcg < count))
        {
            var timestamp = Start + SampleGrid.Offset(_nextEcg, _recording.SampleRateHz);
            if (timestamp > until)
            {
                return;
            }

            var value = _recording.Millivolts[(int)(_nextEcg % count)];
            into.Add(new Sample(_deviceId, Ecg, timestamp, value));
            _beats.Clear();
            _detector.Add(value, _beats);
            foreach (var beat in _beats)
            {
                _rate.AddBeat(beat / _recording.SampleRateHz);
            }

            _nextEcg++;
        }
    }
}
