namespace EdgeTwin.Gateway.Alarms;

using EdgeTwin.Gateway.Twin;
using EdgeTwin.Inference;

/// <summary>
/// The twin's patient state in the inference engine, whose keys for admitted patients are the
/// pseudonyms (<see cref="AlarmPatients"/>): the hypercapnic flag, and a discharge removes the
/// patient so their stale vitals stop scoring.
/// </summary>
internal sealed class InferencePatientTarget(InferenceEngine engine) : IPatientStateTarget
{
    public void SetHypercapnic(string patient, bool hypercapnic) => engine.SetHypercapnic(patient, hypercapnic);

    public void StayEnded(string patient) => engine.Remove(patient);
}
