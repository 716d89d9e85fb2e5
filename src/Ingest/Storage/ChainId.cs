namespace EdgeTwin.Ingest.Storage;

/// <summary>
/// One chain (PROTOCOL §3): gateway, lane wire name, epoch. Ordered so locks are taken in one order.
/// Its hash is computed once, when it is made (the strings' own randomized hash, as before): a batch
/// looks each record's (chain, seq) up in about ten sets and dictionaries, and each look-up hashed the
/// three strings again. The members are read-only, so no copy can keep a hash of other values.
/// </summary>
internal readonly record struct ChainId : IComparable<ChainId>
{
    private readonly int hash;

    public ChainId(string gw, string lane, string epoch)
    {
        Gw = gw;
        Lane = lane;
        Epoch = epoch;
        hash = HashCode.Combine(gw, lane, epoch);
    }

    public string Gw { get; }

    public string Lane { get; }

    public string Epoch { get; }

    public bool Equals(ChainId other) =>
        hash == other.hash && string.Equals(Gw, other.Gw, StringComparison.Ordinal) && string.Equals(Lane, other.Lane, StringComparison.Ordinal)
        && string.Equals(Epoch, other.Epoch, StringComparison.Ordinal);

    public override int GetHashCode() => hash;

    public int CompareTo(ChainId other)
    {
        var c = string.CompareOrdinal(Gw, other.Gw);
        if (c == 0)
        {
            c = string.CompareOrdinal(Lane, other.Lane);
        }

        return c == 0 ? string.CompareOrdinal(Epoch, other.Epoch) : c;
    }

    public override string ToString() => $"{Gw}/{Lane}/{Epoch}";
}
