namespace EdgeTwin.ModelBuilder;

/// <summary>Per-minute values of the five vitals the model reads.</summary>
internal sealed class VitalSeries(int minutes)
{
    public double[] HeartRate { get; } = new double[minutes];

    public double[] RespirationRate { get; } = new double[minutes];

    public double[] SpO2 { get; } = new double[minutes];

    public double[] SystolicBp { get; } = new double[minutes];

    public double[] Temperature { get; } = new double[minutes];
}
