namespace EdgeTwin.Drivers.Simulation.Scenarios;

/// <summary>Heart rate slides to 38/min over two minutes (beta-blocker overdose, heart block).</summary>
internal sealed class BradycardiaScenario : IScenario
{
    public const double OnsetSeconds = 30;
    public const double FloorSeconds = 150;

    public string Name => "bradycardia";

    public string Description => "Normal for 30 s, then HR 68->38/min by 150 s with BP falling to 98/58 mmHg.";

    public PatientState At(double seconds, long seed)
    {
        var p = Trajectory.Progress(seconds, OnsetSeconds, FloorSeconds);
        return PatientState.Baseline with
        {
            HeartRate = Trajectory.Lerp(68, 38, p),
            Systolic = Trajectory.Lerp(118, 98, p),
            Diastolic = Trajectory.Lerp(74, 58, p),
        };
    }
}
