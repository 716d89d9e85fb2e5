namespace EdgeTwin.Gateway.Pipeline;

using EdgeTwin.Drivers.Model;
using EdgeTwin.Gateway.Twin.Model;

/// <summary>The pseudonym of the patient a device is bound to (PROTOCOL §4 <c>patient</c>); the twin's bindings replace the default.</summary>
internal interface IPatientResolver
{
    string PatientOf(string deviceId);

    /// <summary>
    /// The patient of one sample at the sample's own time and whether it may be published (consent);
    /// the twin's resolver overrides this, the default is the device's patient, always publishable.
    /// </summary>
    SampleAttribution Attribute(in Sample sample) => new(PatientOf(sample.DeviceId), MayPublish: true);
}
