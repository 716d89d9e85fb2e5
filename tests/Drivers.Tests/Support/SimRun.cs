namespace EdgeTwin.Drivers.Tests.Support;

using EdgeTwin.Drivers.Model;
using EdgeTwin.Drivers.Simulation;

/// <summary>Runs a generator without a clock, for scenario tests.</summary>
internal static class SimRun
{
    public static readonly DateTimeOffset Start = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);

    public static List<Sample> Generate(string scenario, long seed, TimeSpan duration, SimulatedBedSettings? settings = null, TimeSpan? step = null)
    {
        var generator = new BedSignalGenerator("bed", ScenarioCatalog.Find(scenario), seed, settings ?? SimulatedBedSettings.Default, Start);
        var samples = new List<Sample>();
        var stepSize = step ?? TimeSpan.FromSeconds(1);
        for (var until = Start; until <= Start + duration; until += stepSize)
        {
            generator.EmitDue(until, samples);
        }

        generator.EmitDue(Start + duration, samples);
        return samples;
    }

    public static Dictionary<DateTimeOffset, Dictionary<string, double?>> VitalsBySecond(IEnumerable<Sample> samples) =>
        samples.Where(s => s.Stream.Kind == StreamKind.Vital)
            .GroupBy(s => s.Timestamp)
            .ToDictionary(g => g.Key, g => g.ToDictionary(s => s.Stream.Code, s => s.Value));

    public static int News2At(Dictionary<string, double?> v) => News2.Score(
        v[StreamCodes.RespiratoryRate.Code]!.Value,
        v[StreamCodes.SpO2.Code]!.Value,
        v[StreamCodes.SupplementalO2.Code]!.Value == 1,
        v[StreamCodes.SystolicBp.Code]!.Value,
        v[StreamCodes.HeartRate.Code]!.Value,
        (int)v[StreamCodes.Consciousness.Code]!.Value,
        v[StreamCodes.BodyTemperature.Code]!.Value);
}
