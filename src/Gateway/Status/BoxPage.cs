namespace EdgeTwin.Gateway.Status;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

/// <summary>
/// The bedside box's own page on its status address (<c>/</c>): devices and their health, the uplink
/// and its backlog, the oldest record no receipt covers, alarms sounding at the bedside, the model.
/// Plain files embedded in the assembly; the page reads <c>/status</c> and <c>/twin</c>.
/// </summary>
internal static class BoxPage
{
    private static readonly (string Path, string Resource, string ContentType)[] Files =
    [
        ("/", "index.html", "text/html; charset=utf-8"),
        ("/box.js", "box.js", "text/javascript; charset=utf-8"),
        ("/box.css", "box.css", "text/css; charset=utf-8"),
    ];

    public static IEndpointRouteBuilder MapBoxPage(this IEndpointRouteBuilder app)
    {
        foreach (var (path, resource, contentType) in Files)
        {
            var bytes = Read(resource);
            app.MapGet(path, () => Results.Bytes(bytes, contentType));
        }

        return app;
    }

    private static byte[] Read(string name)
    {
        using var stream = typeof(BoxPage).Assembly.GetManifestResourceStream($"BoxPage/{name}")
            ?? throw new InvalidOperationException($"embedded resource BoxPage/{name} is missing");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
