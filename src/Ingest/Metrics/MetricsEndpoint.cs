namespace EdgeTwin.Ingest.Metrics;

using EdgeTwin.Ingest.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

/// <summary>
/// <c>GET /metrics</c>: the ingest's meter in the Prometheus text format (docs/ingest.md "Metrics").
/// Operators only: the figures name gateways and managers and count what each of them sent, refused
/// or lost. Not access-logged, as the other operator routes: no patient data, and a scraper every
/// 15 s would fill the log.
/// </summary>
internal static class MetricsEndpoint
{
    public const string Path = "/metrics";

    public static IEndpointRouteBuilder MapIngestMetrics(this IEndpointRouteBuilder app)
    {
        app.MapPrometheusScrapingEndpoint(Path).RequireAuthorization(IngestPolicies.Operator);
        return app;
    }
}
