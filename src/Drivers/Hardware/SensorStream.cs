namespace EdgeTwin.Drivers.Hardware;

using EdgeTwin.Drivers.Model;

/// <summary>A stream and its plausible range: a value outside it is a fault (an unplugged IR sensor reads 85 C), not a patient.</summary>
internal readonly record struct SensorStream(StreamCode Code, double Min, double Max)
{
    public bool IsPlausible(double value) => double.IsFinite(value) && value >= Min && value <= Max;
}
