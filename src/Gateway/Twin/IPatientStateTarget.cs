namespace EdgeTwin.Gateway.Twin;

/// <summary>
/// A part of the gateway that keeps per-patient state beside the twin (the inference engine).
/// Patients are pseudonyms. Called at start with every flagged patient, then after each committed
/// change; must not throw.
/// </summary>
internal interface IPatientStateTarget
{
    /// <summary>The patient's hypercapnic flag (NEWS2 SpO2 scale 2) is now <paramref name="hypercapnic"/>.</summary>
    void SetHypercapnic(string patient, bool hypercapnic);

    /// <summary>The patient's stay ended (discharged): what was observed of them no longer counts.</summary>
    void StayEnded(string patient);
}
