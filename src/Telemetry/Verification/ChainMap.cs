namespace EdgeTwin.Telemetry.Verification;

using System.Collections;

/// <summary>
/// A verifier's chains by key. Most verifiers hold one or two (the ingest keeps a verifier per gateway, whose
/// telemetry and alarm lanes are its chains): those are looked up in a short array, which takes a fifth of the
/// room of a dictionary's buckets and entries; a dictionary takes over from <see cref="Inline"/> chains on.
/// </summary>
internal sealed class ChainMap : IEnumerable<KeyValuePair<ChainKey, ChainTracker>>
{
    /// <summary>How many chains are kept in the array before a dictionary takes over.</summary>
    public const int Inline = 4;

    private KeyValuePair<ChainKey, ChainTracker>[]? few;
    private int count;
    private Dictionary<ChainKey, ChainTracker>? many;

    public int Count => many?.Count ?? count;

    public bool TryGetValue(ChainKey key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out ChainTracker tracker)
    {
        if (many is not null)
        {
            return many.TryGetValue(key, out tracker);
        }

        for (var i = 0; i < count; i++)
        {
            if (few![i].Key.Equals(key))
            {
                tracker = few[i].Value;
                return true;
            }
        }

        tracker = null;
        return false;
    }

    public bool ContainsKey(ChainKey key) => TryGetValue(key, out _);

    public ChainTracker? GetValueOrDefault(ChainKey key) => TryGetValue(key, out var tracker) ? tracker : null;

    /// <summary>Adds the chain, or replaces the tracker held for it.</summary>
    public ChainTracker this[ChainKey key]
    {
        set
        {
            if (many is not null)
            {
                many[key] = value;
                return;
            }

            for (var i = 0; i < count; i++)
            {
                if (few![i].Key.Equals(key))
                {
                    few[i] = new(key, value);
                    return;
                }
            }

            if (count == Inline)
            {
                many = new Dictionary<ChainKey, ChainTracker>(few!) { [key] = value };
                (few, count) = (null, 0);
                return;
            }

            if (few is null || count == few.Length)
            {
                Array.Resize(ref few, Math.Min(Inline, Math.Max(1, count * 2)));
            }

            few[count++] = new(key, value);
        }
    }

    public IEnumerator<KeyValuePair<ChainKey, ChainTracker>> GetEnumerator() =>
        many?.GetEnumerator() ?? (few ?? []).Take(count).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
