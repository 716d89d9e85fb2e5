namespace EdgeTwin.Gateway.Tests.Twin;

using EdgeTwin.Gateway.Twin;

/// <summary>A patient state target that remembers every call, in order.</summary>
internal sealed class RecordingPatientTarget : IPatientStateTarget
{
    public List<string> Calls { get; } = [];

    public void SetHypercapnic(string patient, bool hypercapnic) => Calls.Add($"{patient} hypercapnic={hypercapnic}");

    public void StayEnded(string patient) => Calls.Add($"{patient} stay-ended");
}
