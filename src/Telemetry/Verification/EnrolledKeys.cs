namespace EdgeTwin.Telemetry.Verification;

using System.Collections;

/// <summary>
/// A verifier's enrolled addresses, compared without regard to case. The ingest keeps a verifier per gateway,
/// with its one address (two across a key rotation): a short array, a sixth of the room of a hash set; a hash
/// set takes over beyond <see cref="Inline"/> addresses (a capture verified against a whole site's).
/// </summary>
internal sealed class EnrolledKeys : IEnumerable<string>
{
    public const int Inline = 8;

    private string[] few = [];
    private HashSet<string>? many;

    public EnrolledKeys(IEnumerable<string> addresses)
    {
        foreach (var a in addresses)
        {
            Add(a);
        }
    }

    /// <summary>The enrolled instance equal (any case) to <paramref name="address"/>.</summary>
    public bool TryGetValue(string address, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out string enrolled)
    {
        if (many is not null)
        {
            return many.TryGetValue(address, out enrolled);
        }

        foreach (var a in few)
        {
            if (string.Equals(a, address, StringComparison.OrdinalIgnoreCase))
            {
                enrolled = a;
                return true;
            }
        }

        enrolled = null;
        return false;
    }

    public bool Contains(string address) => TryGetValue(address, out _);

    public void Add(string address)
    {
        if (Contains(address))
        {
            return;
        }

        if (many is not null)
        {
            many.Add(address);
        }
        else if (few.Length == Inline)
        {
            many = new HashSet<string>(few, StringComparer.OrdinalIgnoreCase) { address };
            few = [];
        }
        else
        {
            few = [.. few, address];
        }
    }

    public IEnumerator<string> GetEnumerator() => (many ?? (IEnumerable<string>)few).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
