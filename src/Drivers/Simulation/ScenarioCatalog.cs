namespace EdgeTwin.Drivers.Simulation;

using EdgeTwin.Drivers.Simulation.Scenarios;

/// <summary>The named scenarios a bed can be configured with (<c>Simulation:Scenario</c>).</summary>
public static class ScenarioCatalog
{
    private static readonly IScenario[] Scenarios =
    [
        new StableScenario(),
        new SepsisScenario(),
        new AcuteHypoxiaScenario(),
        new BradycardiaScenario(),
        new MotionArtefactScenario(),
        new SensorOffScenario(),
    ];

    /// <summary>stable, sepsis, acute-hypoxia, bradycardia, motion-artefact, sensor-off.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Scenarios.Select(s => s.Name)];

    /// <summary>One line per scenario, for docs and <c>--help</c>.</summary>
    public static string Describe(string name) => Find(name).Description;

    public static bool Exists(string name) => Scenarios.Any(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));

    internal static IScenario Find(string name) =>
        Scenarios.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown simulation scenario '{name}'. Known: {string.Join(", ", Names)}.", nameof(name));
}
