namespace EdgeTwin.Drivers.Simulation;

using EdgeTwin.Drivers.Model;
using EdgeTwin.Drivers.Scheduling;

/// <summary>
/// Everything one simulated bedside monitor measures, as samples on exact grids from a start time.
/// Values are pure functions of (scenario, seed, time), so the same seed gives the same samples.
/// </summary>
internal sealed class BedSignalGenerator : IGridSource
{
    /// <summary>
    /// ECG in steps of 5 µV (200 per mV): the resolution of the MIT-BIH recordings the replay driver
    /// plays, and about what bedside front ends give (1-5 µV).
    /// </summary>
    public const int EcgStepsPerMillivolt = 200;

    /// <summary><see cref="EcgStepsPerMillivolt"/> as the stream's stated resolution, in mV.</summary>
    public const string EcgResolution = "0.005";

    /// <summary>Pleth in steps of 0.001 of its 0..1 scale (10 bits): bedside oximeters give 8-12 bits.</summary>
    public const int PlethStepsPerUnit = 1000;

    /// <summary><see cref="PlethStepsPerUnit"/> as the stream's stated resolution.</summary>
    public const string PlethResolution = "0.001";

    private readonly string _deviceId;
    private readonly IScenario _scenario;
    private readonly long _seed;
    private readonly double _speed;
    private readonly SampledStream[] _streams;

    public BedSignalGenerator(string deviceId, IScenario scenario, long seed, SimulatedBedSettings settings, DateTimeOffset start)
    {
        _deviceId = deviceId;
        _scenario = scenario;
        _seed = seed;
        _speed = settings.Speed;
        Start = start;

        var streams = new List<SampledStream>
        {
            new(StreamCodes.HeartRate, (k, t) => Math.Round(HeartRate(t) + (0.8 * Noise(NoiseChannel.HeartRateReading, k)))),
            new(StreamCodes.RespiratoryRate, (k, t) => Math.Round(RespiratoryRate(t) + (0.5 * Noise(NoiseChannel.RespiratoryReading, k)))),
            new(StreamCodes.SpO2, SpO2),
            new(StreamCodes.BodyTemperature, (k, t) => Math.Round(
                State(t).TemperatureC + (0.08 * Drift(NoiseChannel.TemperatureDrift, t, 600)) + (0.03 * Noise(NoiseChannel.TemperatureReading, k)), 1)),
            new(StreamCodes.SystolicBp, (k, t) => Math.Round(
                State(t).Systolic + (3 * Drift(NoiseChannel.PressureDrift, t, 60)) + (1.5 * Noise(NoiseChannel.PressureReading, 2 * k)))),
            new(StreamCodes.DiastolicBp, (k, t) => Math.Round(
                State(t).Diastolic + (2 * Drift(NoiseChannel.PressureDrift, t, 60)) + Noise(NoiseChannel.PressureReading, (2 * k) + 1))),
            new(StreamCodes.Consciousness, (_, t) => State(t).Acvpu),
            new(StreamCodes.SupplementalO2, (_, t) => State(t).OnOxygen ? 1 : 0),
        };

        if (settings.EcgRateHz > 0)
        {
            var beats = new CycleSchedule(HeartRate, seed, NoiseChannel.BeatJitter, 0.03);
            var breaths = new CycleSchedule(RespiratoryRate, seed, NoiseChannel.BreathJitter, 0.08);
            streams.Add(new(StreamCodes.EcgLeadII.AtRate(settings.EcgRateHz).AtResolution(EcgResolution), (k, t) => Ecg(k, t, beats, breaths)));
        }

        if (settings.PlethRateHz > 0)
        {
            var beats = new CycleSchedule(HeartRate, seed, NoiseChannel.BeatJitter, 0.03);
            var breaths = new CycleSchedule(RespiratoryRate, seed, NoiseChannel.BreathJitter, 0.08);
            streams.Add(new(StreamCodes.Pleth.AtRate(settings.PlethRateHz).AtResolution(PlethResolution), (k, t) => Pleth(k, t, beats, breaths)));
        }

        _streams = [.. streams];
    }

    public DateTimeOffset Start { get; }

    public IReadOnlyList<StreamCode> Streams => [.. _streams.Select(s => s.Code)];

    public bool Finished => Array.TrueForAll(_streams, s => s.Ended);

    /// <summary>Sensor state at the newest sample emitted so far.</summary>
    public ProbeState Probe { get; private set; }

    /// <summary>
    /// Appends every sample stamped at or before <paramref name="until"/> not emitted yet, stream by
    /// stream in time order. Once the scenario loses the device, streams end and nothing more comes.
    /// </summary>
    public void EmitDue(DateTimeOffset until, List<Sample> into)
    {
        foreach (var stream in _streams)
        {
            while (!stream.Ended)
            {
                var timestamp = stream.TimestampOf(Start, stream.Next);
                if (timestamp > until)
                {
                    break;
                }

                var seconds = stream.SecondsOf(stream.Next);
                var probe = State(seconds).Probe;
                if (probe > Probe)
                {
                    Probe = probe;
                }

                if (probe == ProbeState.DeviceLost)
                {
                    stream.Next = long.MaxValue;
                    break;
                }

                into.Add(new Sample(_deviceId, stream.Code, timestamp, stream.ValueAt(stream.Next, seconds)));
                stream.Next++;
            }
        }
    }

    private PatientState State(double seconds) => _scenario.At(seconds * _speed, _seed);

    private double Noise(int channel, long index) => DeterministicNoise.Gaussian(_seed, channel, index);

    private double Drift(int channel, double seconds, double period) => DeterministicNoise.Smooth(_seed, channel, seconds, period);

    private double HeartRate(double seconds) => State(seconds).HeartRate + (2.0 * Drift(NoiseChannel.HeartRateDrift, seconds, 30));

    private double RespiratoryRate(double seconds) => State(seconds).RespiratoryRate + (1.0 * Drift(NoiseChannel.RespiratoryDrift, seconds, 45));

    private double? SpO2(long index, double seconds)
    {
        var state = State(seconds);
        if (state.Probe != ProbeState.Attached)
        {
            return null;
        }

        if (state.Motion > 0)
        {
            // What a fooled oximeter reports while the probe moves: a fall no lung can produce in a second.
            return Math.Round(70 + (14 * DeterministicNoise.Uniform(_seed, NoiseChannel.ArtefactSpO2, index)));
        }

        var value = state.SpO2 + (0.5 * Drift(NoiseChannel.SpO2Drift, seconds, 40)) + (0.3 * Noise(NoiseChannel.SpO2Reading, index));
        return Math.Min(100, Math.Round(value));
    }

    private double? Ecg(long index, double seconds, CycleSchedule beats, CycleSchedule breaths)
    {
        beats.AdvanceTo(seconds);
        breaths.AdvanceTo(seconds);
        var breath = Math.Sin(2 * Math.PI * breaths.Phase(seconds));
        var value = (EcgSynthesizer.Value(seconds, beats) * (1 + (0.05 * breath)))
            + (0.04 * breath)
            + (0.012 * Noise(NoiseChannel.EcgNoise, index))
            + (State(seconds).Motion * 0.25 * Drift(NoiseChannel.ArtefactMotion, seconds, 0.3));
        return Math.Round(value * EcgStepsPerMillivolt) / EcgStepsPerMillivolt;
    }

    private double? Pleth(long index, double seconds, CycleSchedule beats, CycleSchedule breaths)
    {
        var state = State(seconds);
        if (state.Probe != ProbeState.Attached)
        {
            return null;
        }

        beats.AdvanceTo(seconds - PlethSynthesizer.PulseTransitSeconds);
        breaths.AdvanceTo(seconds);
        var breath = Math.Sin(2 * Math.PI * breaths.Phase(seconds));
        var value = (PlethSynthesizer.Value(seconds, beats) * (1 + (0.08 * breath)))
            + (0.03 * breath)
            + (0.004 * Noise(NoiseChannel.PlethNoise, index))
            + (state.Motion * ((0.5 * Drift(NoiseChannel.ArtefactMotion + 100, seconds, 0.35)) + (0.1 * Noise(NoiseChannel.ArtefactMotion, index))));
        return Math.Round(value * PlethStepsPerUnit) / PlethStepsPerUnit;
    }
}
