namespace EdgeTwin.Ingest.Options;

using EdgeTwin.Telemetry.Access;

/// <summary>
/// <c>Ingest:Auth</c> (docs/ingest.md "Access"): who may call the HTTP API. With an
/// <see cref="Authority"/> the ingest accepts the JWTs of that OpenID Connect provider; without one
/// it accepts only tokens signed with its own key (<see cref="SigningKeyFile"/>, minted by
/// <c>edgetwin token</c>).
/// </summary>
public sealed class AuthOptions
{
    /// <summary>The identity provider's issuer URL (its <c>.well-known/openid-configuration</c> is read); empty: self-contained.</summary>
    public string? Authority { get; set; }

    /// <summary>The audience the provider's tokens must name (required with <see cref="Authority"/>).</summary>
    public string? Audience { get; set; }

    /// <summary>The claim that carries the roles (<c>clinician</c>, <c>operator</c>, <c>auditor</c>).</summary>
    public string RoleClaim { get; set; } = AccessToken.RoleClaim;

    /// <summary>The provider's metadata over HTTPS only; off only for a test provider on loopback.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>The local signing key (32 bytes, 0600; created on first start); empty: <c>auth.key</c> beside the ingest key.</summary>
    public string? SigningKeyFile { get; set; }

    public bool UsesProvider => !string.IsNullOrWhiteSpace(Authority);
}
