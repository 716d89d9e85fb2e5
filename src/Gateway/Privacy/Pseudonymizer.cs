namespace EdgeTwin.Gateway.Privacy;

using System.Security.Cryptography;
using System.Text;

/// <summary>
/// Turns a hospital identifier into the patient pseudonym that may leave the box:
/// <c>pt-</c> + the first 16 bytes of HMAC-SHA256(site secret, identifier) in lowercase hex.
/// The same identifier gives the same pseudonym on every box of the site; without the secret the
/// pseudonym cannot be reversed or recomputed from a list of hospital numbers.
/// </summary>
internal sealed class Pseudonymizer(SiteSecret secret)
{
    public const string Prefix = "pt-";

    private const int MaxIdentifierLength = 64;

    /// <summary>Null when <paramref name="hospitalId"/> is acceptable, otherwise why not.</summary>
    public static string? Check(string? hospitalId)
    {
        if (string.IsNullOrEmpty(hospitalId))
        {
            return "empty patient identifier";
        }

        if (hospitalId.Length > MaxIdentifierLength)
        {
            return $"patient identifier longer than {MaxIdentifierLength} characters";
        }

        foreach (var c in hospitalId)
        {
            if (char.IsControl(c) || char.IsWhiteSpace(c))
            {
                return "patient identifier contains white space or control characters";
            }
        }

        return null;
    }

    public static bool IsPseudonym(string value) =>
        value.Length == Prefix.Length + 32 && value.StartsWith(Prefix, StringComparison.Ordinal) &&
        value.AsSpan(Prefix.Length).ContainsAnyExcept("0123456789abcdef") is false;

    public string Pseudonymize(string hospitalId)
    {
        var problem = Check(hospitalId);
        if (problem is not null)
        {
            throw new ArgumentException(problem, nameof(hospitalId));
        }

        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(secret.KeySpan, Encoding.UTF8.GetBytes(hospitalId), mac);
        return Prefix + Convert.ToHexStringLower(mac[..16]);
    }
}
