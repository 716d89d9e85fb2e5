namespace EdgeTwin.Telemetry.Access;

using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

/// <summary>
/// The ingest API's self-contained bearer tokens (docs/ingest.md "Access"): a JWT signed HS256 with
/// the 32-byte key of <c>Ingest:Auth:SigningKeyFile</c>, naming a subject, one or more roles and an
/// expiry. <c>edgetwin token</c> mints them; the ingest checks them with the standard JWT bearer
/// handler. Pure: the key and the time come from the caller.
/// </summary>
public static class AccessToken
{
    public const string Issuer = "edgetwin-ingest";
    public const string Audience = "edgetwin-ingest";
    public const string RoleClaim = "role";

    public const string Clinician = "clinician";
    public const string Operator = "operator";
    public const string Auditor = "auditor";

    /// <summary>The roles the ingest knows; a token names one or more of them.</summary>
    public static readonly IReadOnlyList<string> Roles = [Clinician, Operator, Auditor];

    /// <summary>Longest lifetime a minted token may have: a lost token stays good no longer than this.</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(366);

    /// <summary>A signed token; <see cref="ArgumentException"/> for an unknown role, an empty subject or a lifetime outside (0, <see cref="MaxLifetime"/>].</summary>
    public static string Mint(ReadOnlySpan<byte> key, string subject, IReadOnlyCollection<string> roles, DateTimeOffset issuedAt, TimeSpan lifetime)
    {
        if (string.IsNullOrWhiteSpace(subject))
        {
            throw new ArgumentException("the subject is empty", nameof(subject));
        }

        if (roles.Count == 0 || roles.Any(r => !Roles.Contains(r)))
        {
            throw new ArgumentException($"a role is one of {string.Join(", ", Roles)} (got '{string.Join(",", roles)}')", nameof(roles));
        }

        if (lifetime <= TimeSpan.Zero || lifetime > MaxLifetime)
        {
            throw new ArgumentException($"the lifetime must be more than 0 and at most {MaxLifetime.TotalDays.ToString(CultureInfo.InvariantCulture)} days", nameof(lifetime));
        }

        var header = new JsonObject { ["alg"] = "HS256", ["typ"] = "JWT" };
        var payload = new JsonObject
        {
            ["iss"] = Issuer,
            ["aud"] = Audience,
            ["sub"] = subject,
            [RoleClaim] = new JsonArray([.. roles.Distinct(StringComparer.Ordinal).Select(r => JsonValue.Create(r))]),
            ["iat"] = issuedAt.ToUnixTimeSeconds(),
            ["nbf"] = issuedAt.ToUnixTimeSeconds(),
            ["exp"] = (issuedAt + lifetime).ToUnixTimeSeconds(),
            ["jti"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
        };
        var signingInput = $"{Base64Url(Encoding.UTF8.GetBytes(header.ToJsonString()))}.{Base64Url(Encoding.UTF8.GetBytes(payload.ToJsonString()))}";
        return $"{signingInput}.{Base64Url(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(signingInput)))}";
    }

    /// <summary>
    /// A lifetime as the CLI takes it: a number and a unit, <c>90m</c>, <c>8h</c>, <c>30d</c>; false
    /// with a problem for anything else.
    /// </summary>
    public static bool TryParseLifetime(string text, out TimeSpan lifetime, out string? problem)
    {
        lifetime = default;
        problem = $"'{text}' is not a lifetime: a whole number and m, h or d (90m, 8h, 30d)";
        if (text.Length < 2 || !long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0 || n > 527_040)
        {
            return false;
        }

        TimeSpan? parsed = text[^1] switch
        {
            'm' => TimeSpan.FromMinutes(n),
            'h' => TimeSpan.FromHours(n),
            'd' => TimeSpan.FromDays(n),
            _ => null,
        };
        if (parsed is not { } value)
        {
            return false;
        }

        if (value > MaxLifetime)
        {
            problem = $"'{text}' is longer than the longest lifetime, {MaxLifetime.TotalDays.ToString(CultureInfo.InvariantCulture)} days";
            return false;
        }

        lifetime = value;
        problem = null;
        return true;
    }

    private static string Base64Url(ReadOnlySpan<byte> bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);
}
