namespace EdgeTwin.Ingest.Access;

using System.Globalization;
using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;

/// <summary>
/// The ward view's sign-in (docs/ingest.md "Access"): a page where a person pastes a token; the
/// token, once the bearer handler has accepted it, becomes an HttpOnly, SameSite=Strict cookie
/// (Secure over HTTPS) that the same handler reads, so the pages and their event stream work in a
/// browser. The cookie lives no longer than the token.
/// </summary>
internal static class SignInEndpoints
{
    private const string RefusedMarker = "<!--refused-->";

    public static IEndpointRouteBuilder MapSignIn(this IEndpointRouteBuilder app)
    {
        var page = ReadPage();
        app.MapGet(IngestAuthentication.SignInPath, (HttpContext http) =>
            Results.Content(
                http.Request.Query.ContainsKey("refused")
                    ? page.Replace(RefusedMarker, "<p class=\"refused\" id=\"refused\">That token was refused: expired, invalid, or not for this ingest.</p>", StringComparison.Ordinal)
                    : page,
                "text/html; charset=utf-8"))
            .AllowAnonymous();

        // Reached only with a token the bearer handler accepted (from the form); a refused one is sent back to the page.
        app.MapPost(IngestAuthentication.SessionPath, (HttpContext http, ILogger<TokenSigningKey> logger) =>
        {
            var token = http.Request.Form["token"].ToString().Trim();
            var expires = long.TryParse(http.User.FindFirst("exp")?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var exp)
                ? DateTimeOffset.FromUnixTimeSeconds(exp) : (DateTimeOffset?)null;
            http.Response.Cookies.Append(IngestAuthentication.Cookie, token, Options(http, expires));
            AccessLog.SignedIn(logger, IngestAuthentication.Subject(http.User), string.Join(",", IngestAuthentication.Roles(http.User)));
            return Results.Redirect("/", permanent: false, preserveMethod: false);
        }).DisableAntiforgery();

        app.MapPost($"{IngestAuthentication.SessionPath}/end", (HttpContext http) =>
        {
            http.Response.Cookies.Delete(IngestAuthentication.Cookie, Options(http, null));
            return Results.Redirect(IngestAuthentication.SignInPath);
        }).AllowAnonymous().DisableAntiforgery();
        return app;
    }

    private static CookieOptions Options(HttpContext http, DateTimeOffset? expires) => new()
    {
        HttpOnly = true,
        Secure = http.Request.IsHttps,
        SameSite = SameSiteMode.Strict,
        Path = "/",
        Expires = expires,
        IsEssential = true,
    };

    private static string ReadPage()
    {
        var file = new ManifestEmbeddedFileProvider(Assembly.GetExecutingAssembly(), "Ward/wwwroot").GetFileInfo("signin.html");
        using var reader = new StreamReader(file.CreateReadStream());
        return reader.ReadToEnd();
    }
}
