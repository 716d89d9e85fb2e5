namespace EdgeTwin.Ingest.Processing;

/// <summary>
/// Keeps each gateway's <see cref="ChainVerification"/> between batches of one worker. Entries are
/// dropped when a transaction fails (the verifier ran ahead of the store) and all at once when
/// more than <see cref="MaxGateways"/> are held, which bounds memory.
/// </summary>
internal sealed class VerifierCache
{
    public const int MaxGateways = 2000;
    private readonly Dictionary<string, ChainVerification> _entries = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public ChainVerification For(string gw, string enrolledAddress)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(gw, out var v) && v.EnrolledAddress == enrolledAddress)
            {
                return v;
            }

            if (_entries.Count >= MaxGateways)
            {
                _entries.Clear();
            }

            return _entries[gw] = new ChainVerification(enrolledAddress);
        }
    }

    public void Forget(string gw)
    {
        lock (_lock)
        {
            _entries.Remove(gw);
        }
    }
}
