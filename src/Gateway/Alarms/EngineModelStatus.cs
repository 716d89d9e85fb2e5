namespace EdgeTwin.Gateway.Alarms;

using EdgeTwin.Gateway.Twin;
using EdgeTwin.Inference;
using EdgeTwin.Inference.Model;

/// <summary>The inference engine's model status, for the reported twin.</summary>
internal sealed class EngineModelStatus(InferenceEngine engine) : IModelStatusSource
{
    public ModelStatus Status => engine.ModelStatus;
}
