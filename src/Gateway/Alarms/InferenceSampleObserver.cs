namespace EdgeTwin.Gateway.Alarms;

using EdgeTwin.Drivers.Model;
using EdgeTwin.Gateway.Pipeline;
using EdgeTwin.Inference;

/// <summary>
/// Feeds every vital sample to the inference engine under the patient the device was bound to at
/// the sample's own time (the same rule as the recorder's attribution), or its device-bed key when
/// unbound (<see cref="AlarmPatients"/>). Consent plays no part: withheld vitals still alarm on the
/// box. Waveforms are skipped here (the engine ignores them anyway) to keep the recorder thread
/// cheap; alarm changes a sample causes are handed to <see cref="AlarmChanges"/>, never recorded
/// on this thread.
/// </summary>
internal sealed class InferenceSampleObserver(InferenceEngine engine, IAlarmContext context, AlarmChanges changes) : ISampleObserver
{
    public void OnSample(in Sample sample)
    {
        if (sample.Stream.Kind != StreamKind.Vital)
        {
            return;
        }

        var key = AlarmPatients.EngineKey(context.PatientAt(sample.DeviceId, sample.Timestamp), sample.DeviceId);
        changes.Enqueue(engine.Observe(key, sample));
    }
}
