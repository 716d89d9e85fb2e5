namespace EdgeTwin.Inference;

using EdgeTwin.Inference.Model;
using EdgeTwin.Inference.News2;

/// <summary>What the twin reports for one patient: the latest NEWS2 and model prediction (null until there is one).</summary>
public sealed record PatientSummary(string Patient, string Device, News2Result? News2, ModelPrediction? Prediction, string? PredictionProblem);
