namespace EdgeTwin.Inference.News2;

/// <summary>The seven parameters of the NEWS2 chart (RCP 2017).</summary>
public enum News2Parameter
{
    RespirationRate,
    SpO2,
    SupplementalOxygen,
    SystolicBp,
    Pulse,
    Consciousness,
    Temperature,
}
