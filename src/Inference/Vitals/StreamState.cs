namespace EdgeTwin.Inference.Vitals;

/// <summary>
/// What is known about one stream of one patient: the latest sample, the latest valid one, since
/// when it has been invalid, and per-minute means for the trend features.
/// </summary>
internal sealed class StreamState
{
    private readonly MinuteBins _bins;

    public StreamState(int historyMinutes) => _bins = new MinuteBins(historyMinutes);

    public DateTimeOffset LastAt { get; private set; }

    public bool LastValid { get; private set; }

    public string LastDevice { get; private set; } = "";

    public double? LastValidValue { get; private set; }

    public DateTimeOffset? LastValidAt { get; private set; }

    /// <summary>Start of the current run of invalid samples; null while the latest sample is valid.</summary>
    public DateTimeOffset? InvalidSince { get; private set; }

    public MinuteBins Bins => _bins;

    public void Add(string device, DateTimeOffset at, double? value)
    {
        if (value is { } v)
        {
            _bins.Add(at, v);
        }

        // A late (out-of-order) sample still feeds the trend but never replaces a newer reading.
        if (at < LastAt)
        {
            return;
        }

        LastAt = at;
        LastDevice = device;
        LastValid = value.HasValue;
        if (value is { } valid)
        {
            LastValidValue = valid;
            LastValidAt = at;
            InvalidSince = null;
        }
        else
        {
            InvalidSince ??= at;
        }
    }
}
