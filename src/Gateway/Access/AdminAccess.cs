namespace EdgeTwin.Gateway.Access;

using EdgeTwin.Gateway.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

/// <summary>
/// Puts a route behind the admin token: without <c>Authorization: Bearer &lt;token&gt;</c> or with
/// another token the answer is 401 and nothing runs; each refusal is counted
/// (<c>edgetwin_rejected_total{what="admin-request"}</c>) and logged (1091, at most a line per
/// 10 s and problem, with the count held back). <c>/status</c>, <c>/metrics</c> and the box page
/// stay open: they carry no patient data and change nothing.
/// </summary>
internal static partial class AdminAccess
{
    public const string Rejected = "admin-request";

    public static TBuilder RequireAdminToken<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var problem = Check(http.Request, http.RequestServices.GetRequiredService<AdminToken>());
            if (problem is null)
            {
                return await next(context).ConfigureAwait(false);
            }

            var services = http.RequestServices;
            services.GetRequiredService<GatewayMetrics>().Rejected(Rejected, problem);
            if (services.GetRequiredService<AdminThrottle>().Throttle.ShouldLog(problem, out var heldBack))
            {
                LogRefused(services.GetRequiredService<ILogger<AdminToken>>(), http.Request.Method, http.Request.Path, http.Connection.RemoteIpAddress?.ToString() ?? "?", problem, heldBack);
            }

            http.Response.Headers.WWWAuthenticate = "Bearer";
            return Results.Json(new ErrorBody(problem + ": send 'Authorization: Bearer <the content of Gateway:AdminTokenFile>'"), AccessJsonContext.Default.ErrorBody, statusCode: StatusCodes.Status401Unauthorized);
        });

    private static string? Check(HttpRequest request, AdminToken token)
    {
        var header = request.Headers.Authorization.ToString();
        const string Scheme = "Bearer ";
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return "missing-token";
        }

        return token.Matches(header.AsSpan(Scheme.Length).Trim()) ? null : "wrong-token";
    }

    [LoggerMessage(1091, LogLevel.Warning, "Refused {Method} {Path} from {Peer}: {Problem} ({HeldBack} more held back since the last line)")]
    private static partial void LogRefused(ILogger logger, string method, string path, string peer, string problem, long heldBack);
}
