namespace EdgeTwin.Ingest.Access;

using System.Security.Claims;
using EdgeTwin.Hosting;
using EdgeTwin.Ingest.Metrics;
using EdgeTwin.Ingest.Options;
using EdgeTwin.Telemetry.Access;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

/// <summary>
/// Bearer tokens on every route (docs/ingest.md "Access"): the JWT bearer handler checks either an
/// identity provider's tokens or the local key's, from the <c>Authorization</c> header or from the
/// ward view's session cookie. Each refusal is counted (<c>edgetwin.ingest.http.refused</c>) and logged
/// (7300 unauthenticated, 7301 wrong role), one line per reason or caller and 10 s (<see cref="RefusalLogThrottle"/>);
/// a browser asking for a page is sent to the sign-in page instead of a bare 401.
/// </summary>
internal static class IngestAuthentication
{
    /// <summary>The ward view's session cookie: the token itself, HttpOnly, SameSite=Strict.</summary>
    public const string Cookie = "edgetwin_session";

    public const string SignInPath = "/signin";
    public const string SessionPath = "/api/session";

    public static IServiceCollection AddIngestAccess(this IServiceCollection services)
    {
        services.AddSingleton<TokenSigningKey>();
        services.AddSingleton<RefusalLogThrottle>();
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<IngestOptions>, IServiceProvider>((jwt, ingest, sp) => Configure(jwt, ingest.Value.Auth, sp));
        IngestPolicies.Add(services.AddAuthorizationBuilder());
        return services;
    }

    /// <summary>Loads (or creates) the local key, or names the provider, at start: a bad key file stops the start.</summary>
    public static void AnnounceAccess(this WebApplication app)
    {
        var auth = app.Services.GetRequiredService<IOptions<IngestOptions>>().Value.Auth;
        if (auth.UsesProvider)
        {
            AccessLog.Provider(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(IngestAuthentication)), auth.Authority!, auth.Audience!, auth.RoleClaim);
        }
        else
        {
            app.Services.GetRequiredService<TokenSigningKey>();
        }
    }

    private static void Configure(JwtBearerOptions jwt, AuthOptions auth, IServiceProvider services)
    {
        jwt.MapInboundClaims = false;
        if (auth.UsesProvider)
        {
            jwt.Authority = auth.Authority;
            jwt.Audience = auth.Audience;
            jwt.RequireHttpsMetadata = auth.RequireHttpsMetadata;
            jwt.TokenValidationParameters = new TokenValidationParameters
            {
                ValidAudience = auth.Audience,
                RoleClaimType = auth.RoleClaim,
                NameClaimType = "sub",
                ClockSkew = TimeSpan.FromSeconds(30),
            };
        }
        else
        {
            jwt.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = AccessToken.Issuer,
                ValidAudience = AccessToken.Audience,
                IssuerSigningKey = new SymmetricSecurityKey(services.GetRequiredService<TokenSigningKey>().Key),
                ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                RequireExpirationTime = true,
                RequireSignedTokens = true,
                RoleClaimType = auth.RoleClaim,
                NameClaimType = "sub",
                ClockSkew = TimeSpan.FromSeconds(30),
            };
        }

        jwt.Events = new JwtBearerEvents
        {
            OnMessageReceived = ReadTokenAsync,
            OnChallenge = ChallengeAsync,
            OnForbidden = ForbiddenAsync,
        };
    }

    /// <summary>The header wins; else the session cookie; the sign-in form posts its token once.</summary>
    private static async Task ReadTokenAsync(MessageReceivedContext context)
    {
        var request = context.Request;
        if (request.Headers.Authorization.Count > 0)
        {
            return;
        }

        if (HttpMethods.IsPost(request.Method) && request.Path == SessionPath && request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(context.HttpContext.RequestAborted).ConfigureAwait(false);
            context.Token = form["token"].ToString().Trim();
            return;
        }

        if (request.Cookies.TryGetValue(Cookie, out var cookie) && !string.IsNullOrEmpty(cookie))
        {
            context.Token = cookie;
        }
    }

    private static Task ChallengeAsync(JwtBearerChallengeContext context)
    {
        var reason = context.AuthenticateFailure switch
        {
            null => "no token",
            SecurityTokenExpiredException => "expired token",
            SecurityTokenInvalidSignatureException or SecurityTokenSignatureKeyNotFoundException => "bad signature",
            _ => "invalid token",
        };
        var http = context.HttpContext;
        Refused(http, "unauthenticated");
        if (Throttle(http).ShouldLog("401:" + reason, out var heldBack))
        {
            AccessLog.Unauthenticated(Logger(http), http.Request.Method, http.Request.Path, http.Connection.RemoteIpAddress?.ToString(), reason, heldBack);
        }

        // A browser sent here by a link or the sign-in form gets the sign-in page, not a bare 401;
        // a scraper of /metrics gets the 401 (Prometheus would follow the redirect and fail on the page).
        var request = http.Request;
        var form = HttpMethods.IsPost(request.Method) && request.Path == SessionPath;
        if (form || (HttpMethods.IsGet(request.Method) && !request.Path.StartsWithSegments("/api") && !request.Path.StartsWithSegments(MetricsEndpoint.Path)))
        {
            context.HandleResponse();
            http.Response.Redirect(form ? $"{SignInPath}?refused=1" : SignInPath);
            if (form)
            {
                http.Response.StatusCode = StatusCodes.Status303SeeOther;
            }
        }

        return Task.CompletedTask;
    }

    private static Task ForbiddenAsync(ForbiddenContext context)
    {
        var http = context.HttpContext;
        Refused(http, "forbidden");
        var user = http.User;
        var subject = Subject(user);

        // Keyed by the caller: only a holder of a valid token gets here, so the keys are as many as the tokens issued.
        if (Throttle(http).ShouldLog("403:" + subject, out var heldBack))
        {
            AccessLog.Forbidden(Logger(http), http.Request.Method, http.Request.Path, http.Connection.RemoteIpAddress?.ToString(), subject, string.Join(",", Roles(user)), heldBack);
        }

        return Task.CompletedTask;
    }

    /// <summary>Who the caller is, for logs and the access log.</summary>
    public static string Subject(ClaimsPrincipal user) => user.Identity?.Name ?? user.FindFirst("sub")?.Value ?? "(unknown)";

    public static IEnumerable<string> Roles(ClaimsPrincipal user) =>
        user.Identities.SelectMany(i => i.FindAll(i.RoleClaimType)).Select(c => c.Value).Distinct(StringComparer.Ordinal);

    private static void Refused(HttpContext http, string outcome) => http.RequestServices.GetRequiredService<IngestMetrics>().HttpRefused(outcome);

    private static LogThrottle Throttle(HttpContext http) => http.RequestServices.GetRequiredService<RefusalLogThrottle>().Throttle;

    private static ILogger Logger(HttpContext http) => http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(IngestAuthentication));
}
