namespace EdgeTwin.Bench.Inference;

using EdgeTwin.Drivers.Model;
using EdgeTwin.Inference.Model;
using EdgeTwin.Inference.Vitals;

/// <summary>A patient with an hour of 1 Hz vitals and the shipped model, as the gateway runs them.</summary>
internal sealed class InferenceWorkload : IDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 27, 16, 0, 0, TimeSpan.Zero);

    public InferenceWorkload()
    {
        Runner = new ModelRunner(new ModelOptions());
        if (!Runner.IsAvailable)
        {
            throw new InvalidOperationException("shipped model unavailable: " + Runner.Status.Reason);
        }

        Vitals = new PatientVitals("bench");
        for (var s = 0; s < 3600; s++)
        {
            var at = Start.AddSeconds(s);
            Vitals.Observe(new Sample("bench", StreamCodes.HeartRate, at, 80 + (s / 120.0)));
            Vitals.Observe(new Sample("bench", StreamCodes.RespiratoryRate, at, 16 + (s / 900.0)));
            Vitals.Observe(new Sample("bench", StreamCodes.SpO2, at, 97 - (s / 1200.0)));
            if (s % 900 == 0)
            {
                Vitals.Observe(new Sample("bench", StreamCodes.SystolicBp, at, 125 - (s / 180.0)));
                Vitals.Observe(new Sample("bench", StreamCodes.BodyTemperature, at, 37 + (s / 7200.0)));
            }
        }

        Now = Start.AddSeconds(3599);
        if (!TrendFeatures.TryCompute(Vitals, Now, Features, out var problem))
        {
            throw new InvalidOperationException(problem);
        }
    }

    public ModelRunner Runner { get; }

    public PatientVitals Vitals { get; }

    public DateTimeOffset Now { get; }

    public float[] Features { get; } = new float[TrendFeatures.Count];

    public void Dispose() => Runner.Dispose();
}
