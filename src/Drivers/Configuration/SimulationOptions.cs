namespace EdgeTwin.Drivers.Configuration;

/// <summary>The <c>Simulation</c> configuration section: a simulated ward of N beds.</summary>
public sealed class SimulationOptions
{
    /// <summary>Number of simulated beds (0-1000: a ward has a few, the benchmarks load one box with hundreds); 0 turns the simulator off. Devices are <c>sim-bed-1</c>..N.</summary>
    public int Beds { get; set; } = 4;

    /// <summary>Scenario of every bed not named in <see cref="BedScenarios"/>.</summary>
    public string Scenario { get; set; } = "stable";

    /// <summary>Seed of the ward; bed n uses a seed derived from this and n, so beds differ yet reproduce.</summary>
    public long Seed { get; set; } = 1;

    /// <summary>Per-bed scenario by bed number (1-based): <c>Simulation:BedScenarios:2 = acute-hypoxia</c>.</summary>
    public IDictionary<int, string> BedScenarios { get; } = new SortedDictionary<int, string>();

    /// <summary>ECG sampling rate, 100-1000 Hz (250 default, 500 for diagnostic quality); 0 = no ECG.</summary>
    public double EcgRateHz { get; set; } = 250;

    /// <summary>Pleth sampling rate, 25-500 Hz; 0 = no pleth.</summary>
    public double PlethRateHz { get; set; } = 100;

    /// <summary>Scenario seconds per real second (0.01-3600): 60 plays an hour of sepsis in a minute.</summary>
    public double Speed { get; set; } = 1;

    /// <summary>How often a simulated device wakes to emit samples (5-1000 ms).</summary>
    public int WakeIntervalMs { get; set; } = 40;

    /// <summary>Device id prefix; the bed number is appended.</summary>
    public string DeviceIdPrefix { get; set; } = "sim-bed-";

    /// <summary>The scenario of bed <paramref name="bed"/> (1-based).</summary>
    public string ScenarioOf(int bed) => BedScenarios.TryGetValue(bed, out var scenario) ? scenario : Scenario;

    /// <summary>The seed of bed <paramref name="bed"/>: mixed, so bed 1 of seed 2 is not bed 2 of seed 1.</summary>
    public long SeedOf(int bed) => unchecked((long)Simulation.DeterministicNoise.Hash(Seed, 0x5EED, bed));
}
