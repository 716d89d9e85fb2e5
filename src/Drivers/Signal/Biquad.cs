namespace EdgeTwin.Drivers.Signal;

/// <summary>
/// A second-order IIR section (R. Bristow-Johnson's "Audio EQ Cookbook" formulas), Butterworth Q.
/// Two of them make the 5-15 Hz band-pass Pan and Tompkins use, at any sampling rate.
/// </summary>
internal sealed class Biquad
{
    private readonly double _b0;
    private readonly double _b1;
    private readonly double _b2;
    private readonly double _a1;
    private readonly double _a2;
    private double _x1;
    private double _x2;
    private double _y1;
    private double _y2;

    private Biquad(double b0, double b1, double b2, double a0, double a1, double a2)
    {
        _b0 = b0 / a0;
        _b1 = b1 / a0;
        _b2 = b2 / a0;
        _a1 = a1 / a0;
        _a2 = a2 / a0;
    }

    public static Biquad LowPass(double cutoffHz, double sampleRateHz)
    {
        var (cos, alpha) = Prewarp(cutoffHz, sampleRateHz);
        return new Biquad((1 - cos) / 2, 1 - cos, (1 - cos) / 2, 1 + alpha, -2 * cos, 1 - alpha);
    }

    public static Biquad HighPass(double cutoffHz, double sampleRateHz)
    {
        var (cos, alpha) = Prewarp(cutoffHz, sampleRateHz);
        return new Biquad((1 + cos) / 2, -(1 + cos), (1 + cos) / 2, 1 + alpha, -2 * cos, 1 - alpha);
    }

    public double Next(double x)
    {
        var y = (_b0 * x) + (_b1 * _x1) + (_b2 * _x2) - (_a1 * _y1) - (_a2 * _y2);
        _x2 = _x1;
        _x1 = x;
        _y2 = _y1;
        _y1 = y;
        return y;
    }

    private static (double Cos, double Alpha) Prewarp(double cutoffHz, double sampleRateHz)
    {
        if (cutoffHz <= 0 || cutoffHz >= sampleRateHz / 2)
        {
            throw new ArgumentOutOfRangeException(nameof(cutoffHz), cutoffHz, $"Cut-off must lie between 0 and {sampleRateHz / 2} Hz.");
        }

        var w0 = 2 * Math.PI * cutoffHz / sampleRateHz;
        return (Math.Cos(w0), Math.Sin(w0) / (2 * Math.Sqrt(0.5)));
    }
}
