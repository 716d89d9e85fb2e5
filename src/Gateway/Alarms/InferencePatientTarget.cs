namespace EdgeTwin.Gateway.Alarms;

using EdgeTwin.Gateway.Twin;
using EdgeTwin.Inference;

/// <summary>
/// The twin's patient state in the inference engine, whose keys for admitted patients are the
/// pseudonyms (<see cref="AlarmPatients"/>): the hypercapnic flag, and a discharge removes the
/// patient so their stale vitals stop scoring and ends their open alarms (each recorded on the alarm
/// lane as cleared, "patient discharged"): nothing of theirs would ever clear them otherwise, and a
/// nurse would have to silence a bed that no longer holds the patient.
/// </summary>
internal sealed class InferencePatientTarget(InferenceEngine engine, AlarmChanges changes) : IPatientStateTarget
{
    public const string Discharged = "patient discharged";

    public void SetHypercapnic(string patient, bool hypercapnic) => engine.SetHypercapnic(patient, hypercapnic);

    public void StayEnded(string patient)
    {
        engine.Remove(patient);
        changes.Enqueue(engine.Alarms.EndPatient(patient, Discharged));
    }
}
