namespace EdgeTwin.Gateway.Pipeline;

using EdgeTwin.Drivers.Model;

/// <summary>
/// Sees every sample once, in arrival order, before it is recorded (the twin's reported state,
/// NEWS2, the model). Called on the recorder's thread: return quickly and hand heavy work to your
/// own bounded channel. An exception is logged and counted; the sample is recorded regardless.
/// Register with <c>services.AddSingleton&lt;ISampleObserver, YourObserver&gt;()</c>.
/// </summary>
internal interface ISampleObserver
{
    void OnSample(in Sample sample);
}
