namespace EdgeTwin.Ingest.Access;

using EdgeTwin.Telemetry.Access;
using Microsoft.AspNetCore.Authorization;

/// <summary>
/// Which role reads what (the table in docs/ingest.md "Access"). Every request needs an
/// authenticated caller (the fallback policy, static pages included) unless its endpoint allows
/// anonymous callers (<c>/healthz</c>, <c>/api/identity</c>, the sign-in page).
/// </summary>
internal static class IngestPolicies
{
    /// <summary>Twins, patients, observations, ward view, alarms.</summary>
    public const string Clinician = AccessToken.Clinician;

    /// <summary>Chains, alerts, anchoring status.</summary>
    public const string Operator = AccessToken.Operator;

    /// <summary>Evidence and the access log.</summary>
    public const string Auditor = AccessToken.Auditor;

    /// <summary>Proofs: a clinician checks a reading, an operator a chain.</summary>
    public const string ClinicianOrOperator = "clinician-or-operator";

    public static void Add(AuthorizationBuilder builder) => builder
        .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
        .AddPolicy(Clinician, p => p.RequireRole(AccessToken.Clinician))
        .AddPolicy(Operator, p => p.RequireRole(AccessToken.Operator))
        .AddPolicy(Auditor, p => p.RequireRole(AccessToken.Auditor))
        .AddPolicy(ClinicianOrOperator, p => p.RequireRole(AccessToken.Clinician, AccessToken.Operator));
}
