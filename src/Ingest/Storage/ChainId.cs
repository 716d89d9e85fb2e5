namespace EdgeTwin.Ingest.Storage;

/// <summary>One chain (PROTOCOL §3): gateway, lane wire name, epoch. Ordered so locks are taken in one order.</summary>
internal readonly record struct ChainId(string Gw, string Lane, string Epoch) : IComparable<ChainId>
{
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
