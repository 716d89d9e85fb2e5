namespace EdgeTwin.Drivers.I2c.Max30102;

/// <summary>
/// SpO2 and pulse rate from the red and IR photoplethysmograms over a sliding window, by the ratio
/// of ratios R = (AC_red/DC_red)/(AC_ir/DC_ir) and the empirical curve SpO2 = -45.060 R^2 + 30.354 R
/// + 94.845 of Maxim's reference design (MAXREFDES117). That curve is a generic calibration: a
/// clinical device must be calibrated against a reference oximeter for its enclosure and LEDs.
/// </summary>
internal sealed class PulseOximetryEstimator
{
    /// <summary>IR counts below this mean no finger on the sensor (ambient light only).</summary>
    public const int FingerThreshold = 50_000;

    /// <summary>Pulsatile IR fraction below this is too little perfusion to trust.</summary>
    private const double MinPerfusion = 0.0005;

    private readonly double _rateHz;
    private readonly double[] _red;
    private readonly double[] _infrared;
    private long _count;

    public PulseOximetryEstimator(double rateHz, double windowSeconds = 5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rateHz, 10);
        _rateHz = rateHz;
        var length = (int)Math.Round(rateHz * windowSeconds);
        _red = new double[length];
        _infrared = new double[length];
    }

    public bool FingerPresent { get; private set; }

    public void Add(PpgSample sample)
    {
        var slot = (int)(_count % _red.Length);
        _red[slot] = sample.Red;
        _infrared[slot] = sample.Infrared;
        _count++;
        FingerPresent = sample.Infrared >= FingerThreshold;
    }

    /// <summary>Null values until a full window with a finger and a pulse is there.</summary>
    public (double? SpO2, double? PulseRate) Estimate()
    {
        if (_count < _red.Length || !FingerPresent)
        {
            return (null, null);
        }

        var red = Ordered(_red);
        var infrared = Ordered(_infrared);
        var (redDc, redAc) = DcAndAc(red);
        var (irDc, irAc) = DcAndAc(infrared);
        if (irDc < FingerThreshold || irAc / irDc < MinPerfusion || redAc <= 0)
        {
            return (null, null);
        }

        var ratio = redAc / redDc / (irAc / irDc);
        var spo2 = (-45.060 * ratio * ratio) + (30.354 * ratio) + 94.845;
        return (Math.Round(spo2), PulseRate(infrared) is { } rate ? Math.Round(rate) : null);
    }

    private double[] Ordered(double[] ring)
    {
        var start = (int)(_count % ring.Length);
        return [.. ring[start..], .. ring[..start]];
    }

    /// <summary>DC as the mean; AC as the RMS around a least-squares line (removes baseline drift).</summary>
    private static (double Dc, double Ac) DcAndAc(double[] x)
    {
        var (mean, slope) = Line(x);
        var sum = 0.0;
        for (var i = 0; i < x.Length; i++)
        {
            var residual = x[i] - (mean + (slope * (i - ((x.Length - 1) / 2.0))));
            sum += residual * residual;
        }

        return (mean, Math.Sqrt(sum / x.Length));
    }

    private static (double Mean, double Slope) Line(double[] x)
    {
        var mean = x.Average();
        var centre = (x.Length - 1) / 2.0;
        double num = 0, den = 0;
        for (var i = 0; i < x.Length; i++)
        {
            num += (i - centre) * (x[i] - mean);
            den += (i - centre) * (i - centre);
        }

        return (mean, den > 0 ? num / den : 0);
    }

    /// <summary>Beats are the IR troughs (blood absorbs at systole), at least 0.3 s apart.</summary>
    private double? PulseRate(double[] infrared)
    {
        var (mean, slope) = Line(infrared);
        var smoothing = Math.Max(1, (int)Math.Round(_rateHz * 0.05));
        var pulse = new double[infrared.Length];
        for (var i = 0; i < infrared.Length; i++)
        {
            var from = Math.Max(0, i - smoothing);
            var to = Math.Min(infrared.Length - 1, i + smoothing);
            var local = 0.0;
            for (var j = from; j <= to; j++)
            {
                local += infrared[j];
            }

            pulse[i] = (mean + (slope * (i - ((infrared.Length - 1) / 2.0)))) - (local / (to - from + 1));
        }

        var threshold = 0.5 * pulse.Max();
        var minGap = (int)Math.Round(0.3 * _rateHz);
        var peaks = new List<int>();
        for (var i = 1; i < pulse.Length - 1; i++)
        {
            if (pulse[i] <= threshold || pulse[i] < pulse[i - 1] || pulse[i] <= pulse[i + 1])
            {
                continue;
            }

            if (peaks.Count > 0 && i - peaks[^1] < minGap)
            {
                if (pulse[i] > pulse[peaks[^1]])
                {
                    peaks[^1] = i;
                }

                continue;
            }

            peaks.Add(i);
        }

        return peaks.Count >= 2 ? 60.0 * (peaks.Count - 1) * _rateHz / (peaks[^1] - peaks[0]) : null;
    }
}
