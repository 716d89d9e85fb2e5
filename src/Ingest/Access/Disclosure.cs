namespace EdgeTwin.Ingest.Access;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

/// <summary>
/// Marks a route that discloses patient data: each authenticated read of it is an access-log entry
/// (<see cref="AccessRecorder"/>). <see cref="Patient"/> and <see cref="Gw"/> name what was read,
/// from the route or the query; a read across every gateway names <c>*</c>.
/// </summary>
internal sealed class Disclosure(Func<HttpContext, string?> patient, Func<HttpContext, string?> gw)
{
    public const string All = "*";

    public string? Patient(HttpContext http) => patient(http);

    public string? Gw(HttpContext http) => gw(http);

    /// <summary>The pseudonym in the route value <paramref name="name"/>.</summary>
    public static Disclosure OfPatient(string name = "pseudonym") => new(http => Value(http, name), _ => null);

    /// <summary>The gateway in the route value or query parameter <paramref name="name"/>; all of them when absent.</summary>
    public static Disclosure OfGateway(string name = "gw") => new(_ => null, http => Value(http, name) ?? All);

    public static Disclosure OfAll() => new(_ => null, _ => All);

    private static string? Value(HttpContext http, string name) =>
        http.Request.RouteValues.TryGetValue(name, out var v) && v is string s ? s
        : http.Request.Query.TryGetValue(name, out var q) && q.Count > 0 ? q.ToString() : null;
}

internal static class DisclosureExtensions
{
    /// <summary>Requires <paramref name="policy"/> and records each read in the access log.</summary>
    public static TBuilder Discloses<TBuilder>(this TBuilder builder, string policy, Disclosure what)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(policy).WithMetadata(what);
}
