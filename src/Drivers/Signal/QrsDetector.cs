namespace EdgeTwin.Drivers.Signal;

/// <summary>
/// Streaming QRS detector after Pan &amp; Tompkins, "A real-time QRS detection algorithm", IEEE Trans
/// Biomed Eng 32(3):230-236, 1985: 5-15 Hz band-pass, five-point derivative, squaring, 150 ms moving
/// window integration, then adaptive signal/noise peak levels with a 200 ms refractory period,
/// T-wave rejection within 360 ms, and search-back at half threshold after 1.66 mean RR intervals.
/// Works at any rate from 100 Hz; reports each beat as the sample index of its R peak.
/// </summary>
internal sealed class QrsDetector
{
    private readonly double _fs;
    private readonly Biquad _highPass;
    private readonly Biquad _lowPass;
    private readonly int _window;
    private readonly int _refractory;
    private readonly int _tWaveLimit;
    private readonly int _learning;
    private readonly double[] _band;
    private readonly double[] _slope;
    private readonly double[] _integrationRing;
    private readonly List<Peak> _learningPeaks = [];
    private readonly Queue<int> _recentIntervals = new();
    private double _integrationSum;
    private double _mwi1;
    private double _mwi2;
    private long _n = -1;
    private Peak? _pending;
    private Peak? _searchBack;
    private double _signalLevel;
    private double _noiseLevel;
    private double _learningMax;
    private double _learningSum;
    private long _lastQrs = -1;
    private double _lastQrsSlope;
    private double _meanInterval;

    public QrsDetector(double sampleRateHz)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRateHz, 100);
        _fs = sampleRateHz;
        _highPass = Biquad.HighPass(5, sampleRateHz);
        _lowPass = Biquad.LowPass(15, sampleRateHz);
        _window = (int)Math.Round(0.150 * sampleRateHz);
        _refractory = (int)Math.Round(0.200 * sampleRateHz);
        _tWaveLimit = (int)Math.Round(0.360 * sampleRateHz);
        _learning = (int)Math.Round(2.0 * sampleRateHz);
        _meanInterval = sampleRateHz;

        // Enough history to find the R peak behind an integrated peak confirmed up to 200 ms later.
        var history = _window + _refractory + (int)Math.Round(0.1 * sampleRateHz) + 8;
        _band = new double[history];
        _slope = new double[history];
        _integrationRing = new double[_window];
    }

    /// <summary>Beats found so far.</summary>
    public long BeatCount { get; private set; }

    /// <summary>Feeds the next sample (mV); appends the R-peak index of each beat it confirms.</summary>
    public void Add(double millivolts, List<long> beats)
    {
        _n++;
        var band = _lowPass.Next(_highPass.Next(millivolts));
        Put(_band, _n, band);

        // Five-point derivative (Pan-Tompkins), in mV/s so thresholds do not depend on the rate.
        var derivative = _n >= 4
            ? ((2 * band) + Get(_band, _n - 1) - Get(_band, _n - 3) - (2 * Get(_band, _n - 4))) * _fs / 8
            : 0;
        Put(_slope, _n, Math.Abs(derivative));

        var squared = derivative * derivative;
        var slot = (int)(_n % _window);
        _integrationSum += squared - _integrationRing[slot];
        _integrationRing[slot] = squared;
        var mwi = Math.Max(0, _integrationSum) / _window;

        if (_n < _learning)
        {
            _learningMax = Math.Max(_learningMax, mwi);
            _learningSum += mwi;
        }

        if (_n == _learning)
        {
            // Pan-Tompkins learning phase: levels from the first 2 s, then the peaks seen meanwhile.
            _signalLevel = _learningMax / 3;
            _noiseLevel = _learningSum / _learning / 2;
            foreach (var peak in _learningPeaks)
            {
                Classify(peak, beats);
            }

            _learningPeaks.Clear();
        }

        // A local maximum of the integrated signal at n-1; peaks within 200 ms merge into the larger.
        if (_n >= 2 && _mwi1 > _mwi2 && _mwi1 >= mwi)
        {
            var peak = Locate(_n - 1, _mwi1);
            if (_pending is { } p && peak.Index - p.Index < _refractory)
            {
                if (peak.Value > p.Value)
                {
                    _pending = peak;
                }
            }
            else
            {
                if (_pending is { } previous)
                {
                    Classify(previous, beats);
                }

                _pending = peak;
            }
        }

        _mwi2 = _mwi1;
        _mwi1 = mwi;

        if (_pending is { } due && _n - due.Index >= _refractory)
        {
            _pending = null;
            Classify(due, beats);
        }

        SearchBack(beats);
    }

    private double Threshold => _noiseLevel + (0.25 * (_signalLevel - _noiseLevel));

    private void Classify(Peak peak, List<long> beats)
    {
        if (_n < _learning)
        {
            _learningPeaks.Add(peak);
            return;
        }

        var sinceLast = _lastQrs < 0 ? long.MaxValue : peak.RIndex - _lastQrs;
        var isQrs = peak.Value > Threshold
            && sinceLast >= _refractory
            && !(sinceLast < _tWaveLimit && peak.Slope < 0.5 * _lastQrsSlope);
        if (isQrs)
        {
            _signalLevel = (0.125 * peak.Value) + (0.875 * _signalLevel);
            Accept(peak, beats);
            return;
        }

        _noiseLevel = (0.125 * peak.Value) + (0.875 * _noiseLevel);
        if (peak.Value > 0.5 * Threshold && sinceLast >= _refractory && (_searchBack is null || peak.Value > _searchBack.Value.Value))
        {
            _searchBack = peak;
        }
    }

    private void SearchBack(List<long> beats)
    {
        if (_lastQrs < 0 || _searchBack is not { } candidate || _n - _lastQrs <= 1.66 * _meanInterval)
        {
            return;
        }

        // A beat was missed: take the largest peak above half the threshold since the last one.
        _signalLevel = (0.25 * candidate.Value) + (0.75 * _signalLevel);
        Accept(candidate, beats);
    }

    private void Accept(Peak peak, List<long> beats)
    {
        if (_lastQrs >= 0)
        {
            _recentIntervals.Enqueue((int)(peak.RIndex - _lastQrs));
            if (_recentIntervals.Count > 8)
            {
                _recentIntervals.Dequeue();
            }

            _meanInterval = _recentIntervals.Average();
        }

        _lastQrs = peak.RIndex;
        _lastQrsSlope = peak.Slope;
        _searchBack = null;
        BeatCount++;
        beats.Add(peak.RIndex);
    }

    /// <summary>The R peak is the largest band-passed deflection in the integration window behind the peak.</summary>
    private Peak Locate(long index, double value)
    {
        var from = Math.Max(0, index - _window - (long)Math.Round(0.05 * _fs));
        var rIndex = index;
        var best = -1.0;
        var slope = 0.0;
        for (var i = from; i <= index; i++)
        {
            var magnitude = Math.Abs(Get(_band, i));
            if (magnitude > best)
            {
                best = magnitude;
                rIndex = i;
            }

            slope = Math.Max(slope, Get(_slope, i));
        }

        return new Peak(index, rIndex, value, slope);
    }

    private static void Put(double[] ring, long index, double value) => ring[index % ring.Length] = value;

    private static double Get(double[] ring, long index) => index < 0 ? 0 : ring[index % ring.Length];

    private readonly record struct Peak(long Index, long RIndex, double Value, double Slope);
}
