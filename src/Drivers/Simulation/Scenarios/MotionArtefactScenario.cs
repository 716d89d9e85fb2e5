namespace EdgeTwin.Drivers.Simulation.Scenarios;

/// <summary>
/// A stable patient who keeps moving the finger probe: once a minute a seeded episode of 6-14 s
/// disturbs the pleth and makes the oximeter report SpO2 dips no physiology could produce (97 to the
/// 70s within a second). Artefact rejection, not an alarm, is the right answer.
/// </summary>
internal sealed class MotionArtefactScenario : IScenario
{
    public const double EpisodePeriodSeconds = 60;

    public string Name => "motion-artefact";

    public string Description =>
        "Stable vitals; once a minute a seeded 6-14 s episode of probe motion disturbs the pleth and reports implausible SpO2 dips (70-84 %).";

    public PatientState At(double seconds, long seed) =>
        PatientState.Baseline with { Motion = InEpisode(seconds, seed) ? 1 : 0 };

    /// <summary>Episode k starts 15-40 s into minute k and lasts 6-14 s, both drawn from the seed.</summary>
    public static bool InEpisode(double seconds, long seed)
    {
        var minute = (long)Math.Floor(seconds / EpisodePeriodSeconds);
        var start = (minute * EpisodePeriodSeconds) + 15 + (25 * DeterministicNoise.Uniform(seed, NoiseChannel.ArtefactEpisode, 2 * minute));
        var duration = 6 + (8 * DeterministicNoise.Uniform(seed, NoiseChannel.ArtefactEpisode, (2 * minute) + 1));
        return seconds >= start && seconds < start + duration;
    }
}
