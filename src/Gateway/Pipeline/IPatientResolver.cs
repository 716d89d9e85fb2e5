namespace EdgeTwin.Gateway.Pipeline;

/// <summary>The pseudonym of the patient a device is bound to (PROTOCOL §4 <c>patient</c>); the twin's bindings replace the default.</summary>
internal interface IPatientResolver
{
    string PatientOf(string deviceId);
}
