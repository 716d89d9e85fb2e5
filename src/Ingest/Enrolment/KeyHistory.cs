namespace EdgeTwin.Ingest.Enrolment;

using System.Text.Json;
using EdgeTwin.Telemetry.Signing;

/// <summary>
/// One verified gateway key rotation on one lane (docs/protocol.md §4 "Key rotation"): chain
/// (lane, <see cref="Epoch"/>) signed by <see cref="From"/> is sealed at <see cref="Seq"/> (its record
/// there has <see cref="Hash"/>), and <see cref="NewEpoch"/> goes on under <see cref="To"/>.
/// </summary>
internal sealed record KeyRotation(string Lane, string Epoch, long Seq, string Hash, string From, string To, string NewEpoch, DateTimeOffset At);

/// <summary>
/// The key rotations the ingest verified for one gateway (kept with its gateway row), and what follows
/// from them: the address in force is the enrolled one followed along its rotations; a chain of a
/// rotated-from key is sealed where its rotation says, and nothing after that seq is taken.
/// </summary>
internal static class KeyHistory
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static List<KeyRotation> Parse(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return [];
        }

        return JsonSerializer.Deserialize<List<KeyRotation>>(json, Json)
            ?? throw new InvalidDataException("stored key rotations are empty");
    }

    public static string Write(IEnumerable<KeyRotation> rotations) => JsonSerializer.Serialize(rotations, Json);

    /// <summary><paramref name="enrolled"/> followed along the rotations from it (a rotation never leads back: each step is to a new key).</summary>
    public static string Effective(string enrolled, IReadOnlyList<KeyRotation> rotations)
    {
        var address = enrolled;
        for (var step = 0; step < rotations.Count; step++)
        {
            var next = rotations.FirstOrDefault(r => Eip191.SameAddress(r.From, address));
            if (next is null)
            {
                break;
            }

            address = next.To;
        }

        return address;
    }

    /// <summary>The rotation that sealed chain (lane, epoch) signed by <paramref name="key"/>, if any.</summary>
    public static KeyRotation? SealOf(IReadOnlyList<KeyRotation> rotations, string lane, string epoch, string key) =>
        rotations.FirstOrDefault(r => r.Lane == lane && r.Epoch == epoch && Eip191.SameAddress(r.From, key));

    /// <summary>
    /// Whether <paramref name="key"/> still signs chain (lane, epoch) of a gateway enrolled as
    /// <paramref name="enrolled"/>: it is the key in force; or it handed this chain over (sealed, taken
    /// up to the seal: <paramref name="seal"/>); or it handed another lane over and this lane's link is
    /// on its way (the gateway writes both at once). A revoked key signs nothing.
    /// </summary>
    public static bool Signs(string? enrolled, IReadOnlyList<KeyRotation> rotations, string lane, string epoch, string key, bool revoked, out KeyRotation? seal)
    {
        seal = null;
        if (enrolled is null || revoked)
        {
            return false;
        }

        seal = SealOf(rotations, lane, epoch, key);
        return seal is not null
            || Eip191.SameAddress(key, Effective(enrolled, rotations))
            || (rotations.Any(r => Eip191.SameAddress(r.From, key)) && !rotations.Any(r => r.Lane == lane && Eip191.SameAddress(r.From, key)));
    }
}
