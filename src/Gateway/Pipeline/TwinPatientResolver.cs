namespace EdgeTwin.Gateway.Pipeline;

using EdgeTwin.Drivers.Model;
using EdgeTwin.Gateway.Twin;
using EdgeTwin.Gateway.Twin.Model;

/// <summary>
/// The recorder's patient resolver once the twin is in: each sample is attributed to the patient
/// whose stay covers the sample's time (or <c>unattributed</c>), with the patient's consent for its
/// stream class; this is also where the twin sees every sample (latest vitals, last sample time).
/// Samples of a device the desired state disabled are withheld.
/// </summary>
internal sealed class TwinPatientResolver(ShadowTwin twin, TimeProvider time) : IPatientResolver
{
    public string PatientOf(string deviceId) => twin.PatientAt(deviceId, time.GetUtcNow());

    public SampleAttribution Attribute(in Sample sample)
    {
        var attribution = twin.Observe(sample);
        return twin.Control.Configuration.For(sample.DeviceId).Enabled ? attribution : attribution with { MayPublish = false };
    }
}
