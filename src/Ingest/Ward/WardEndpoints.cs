namespace EdgeTwin.Ingest.Ward;

using System.Reflection;
using EdgeTwin.Ingest.Access;
using EdgeTwin.Ingest.Metrics;
using EdgeTwin.Telemetry.Wire;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;

/// <summary>
/// The ward view in the browser (docs/ward-view.md): static pages from the assembly (<c>/</c>,
/// <c>/bed.html</c>, <c>/chains.html</c>), their data (<c>GET /api/ward</c>) and a server-sent event
/// stream (<c>GET /api/ward/events</c>) that names each gateway whose data changed, so a page
/// refreshes within a moment of a record being verified. Pages need a signed-in caller (the
/// fallback policy: static files are served after authorization); data needs the clinician role,
/// the event stream the clinician or the operator role (the chains page follows it).
/// </summary>
internal static class WardEndpoints
{
    /// <summary>A comment line this often keeps idle connections (and proxies) open.</summary>
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    public static WebApplication MapWardView(this WebApplication app)
    {
        var files = new ManifestEmbeddedFileProvider(Assembly.GetExecutingAssembly(), "Ward/wwwroot");
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = files });

        // ?gw=a&gw=b: only those gateways (what the live feed named), at most 100 names.
        app.MapGet("/api/ward", async (string[]? gw, WardView ward, TimeProvider time, CancellationToken ct) =>
            gw is { Length: > 100 } ? Results.BadRequest(new { error = "at most 100 gw names" })
            : gw is { Length: > 0 } && gw.FirstOrDefault(g => !WireNames.IsName(g)) is { } bad ? Results.BadRequest(new { error = $"'{bad}' is not a gateway name ({WireNames.NameRule})" })
            : Results.Json(await ward.BuildAsync(time.GetUtcNow(), ct, gw is { Length: > 0 } ? gw : null).ConfigureAwait(false)))
            .Discloses(IngestPolicies.Clinician, Disclosure.OfAll());

        app.MapGet("/api/ward/events", async (HttpContext context, WardChanges changes, IngestMetrics metrics, ILogger<WardChanges> logger, CancellationToken ct) =>
        {
            using var subscription = changes.Subscribe();
            if (subscription is null)
            {
                // Each open page holds a connection and a queue: a bound, so no caller can exhaust the ingest.
                WardLog.TooManyPages(logger, changes.MaxSubscribers);
                metrics.HttpRefused("too-many-pages");
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                context.Response.Headers.RetryAfter = "30";
                await context.Response.WriteAsync($"{changes.MaxSubscribers} ward pages are open already (Ingest:WardMaxSubscribers); try again later\n", ct).ConfigureAwait(false);
                return;
            }

            context.Response.Headers.ContentType = "text/event-stream";
            context.Response.Headers.CacheControl = "no-cache";
            await context.Response.WriteAsync("retry: 2000\n\n", ct).ConfigureAwait(false);
            await context.Response.Body.FlushAsync(ct).ConfigureAwait(false);
            try
            {
                while (!ct.IsCancellationRequested)
                {
                    using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    wait.CancelAfter(KeepAlive);
                    string line;
                    try
                    {
                        line = $"event: changed\ndata: {await subscription.Reader.ReadAsync(wait.Token).ConfigureAwait(false)}\n\n";
                    }
                    catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                    {
                        line = ": keep-alive\n\n";
                    }

                    await context.Response.WriteAsync(line, ct).ConfigureAwait(false);
                    await context.Response.Body.FlushAsync(ct).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // The page went away.
            }
        }).RequireAuthorization(IngestPolicies.ClinicianOrOperator); // names of changed gateways only (the chains page reloads on it too): not a disclosure
        return app;
    }
}

internal static partial class WardLog
{
    [LoggerMessage(EventId = 7330, Level = LogLevel.Warning, Message = "A ward page was refused its live feed: {Max} pages are fed already (Ingest:WardMaxSubscribers)")]
    public static partial void TooManyPages(ILogger logger, int max);
}
