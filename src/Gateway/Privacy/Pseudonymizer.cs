namespace EdgeTwin.Gateway.Privacy;

using System.Security.Cryptography;
using System.Text;
using EdgeTwin.Telemetry.Desired;

/// <summary>
/// Turns a hospital identifier into the patient pseudonym that may leave the box:
/// <c>pt-</c> + the first 16 bytes of HMAC-SHA256(site secret, identifier) in lowercase hex.
/// The same identifier gives the same pseudonym on every box of the site; without the secret the
/// pseudonym cannot be reversed or recomputed from a list of hospital numbers.
/// </summary>
internal sealed class Pseudonymizer(SiteSecret secret)
{
    public const string Prefix = "pt-";

    public static bool IsPseudonym(string value) =>
        value.Length == Prefix.Length + 32 && value.StartsWith(Prefix, StringComparison.Ordinal) &&
        value.AsSpan(Prefix.Length).ContainsAnyExcept("0123456789abcdef") is false;

    public string Pseudonymize(string hospitalId)
    {
        var problem = HospitalId.Check(hospitalId);
        if (problem is not null)
        {
            throw new ArgumentException(problem, nameof(hospitalId));
        }

        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(secret.KeySpan, Encoding.UTF8.GetBytes(hospitalId), mac);
        return Prefix + Convert.ToHexStringLower(mac[..16]);
    }
}
