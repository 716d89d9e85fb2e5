namespace EdgeTwin.Ingest.Access;

using EdgeTwin.Ingest.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

/// <summary>
/// Writes the access log (the accounting of disclosures, docs/ingest.md "Access"): for a route
/// marked <see cref="Disclosure"/>, every authenticated caller's request (answered, refused for the
/// role, not found) becomes an entry just before the response starts. If the entry cannot be stored
/// the response is refused (500): nothing is disclosed that is not accounted for. Anonymous
/// requests are refused before any data and only logged and counted (7300), so a stranger cannot
/// fill the log.
/// </summary>
internal sealed class AccessRecorder(RequestDelegate next, IIngestStore store, TimeProvider time, ILogger<AccessRecorder> logger)
{
    public Task InvokeAsync(HttpContext http)
    {
        if (http.GetEndpoint() is { } endpoint && endpoint.Metadata.GetMetadata<Disclosure>() is { } disclosure)
        {
            http.Response.OnStarting(() => RecordAsync(http, endpoint, disclosure));
        }

        return next(http);
    }

    private async Task RecordAsync(HttpContext http, Endpoint endpoint, Disclosure disclosure)
    {
        var user = http.User;
        if (user.Identity?.IsAuthenticated != true)
        {
            return;
        }

        var subject = IngestAuthentication.Subject(user);
        var route = $"{http.Request.Method} {(endpoint as RouteEndpoint)?.RoutePattern.RawText ?? http.Request.Path}";
        var row = new AccessRow(time.GetUtcNow(), subject, string.Join(",", IngestAuthentication.Roles(user)), route,
            $"{http.Request.Path}{http.Request.QueryString}", disclosure.Patient(http), disclosure.Gw(http), http.Response.StatusCode);
        try
        {
            await ((IAccessLogStore)store).AppendAccessAsync(row, http.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            AccessLog.AccessNotRecorded(logger, subject, route, ex);
            throw;
        }
    }
}
