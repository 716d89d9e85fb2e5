namespace EdgeTwin.Inference.Model;

/// <summary>Deterioration risk (0..1) of one patient for the window ending at <see cref="At"/>.</summary>
public sealed record ModelPrediction(string Patient, string ModelId, DateTimeOffset At, double Risk);
