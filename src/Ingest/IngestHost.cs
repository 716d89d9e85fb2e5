namespace EdgeTwin.Ingest;

using EdgeTwin.Ingest.Anchoring;
using EdgeTwin.Ingest.Api;
using EdgeTwin.Ingest.Ward;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

/// <summary>Builds the ingest web host; Program runs it, tests start several in one process.</summary>
internal static class IngestHost
{
    public const string DefaultUrl = "http://127.0.0.1:5080";

    public static WebApplication Create(string[] args, Action<IServiceCollection>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Host.UseSystemd();

        // Loopback by default (issue 7); operators choose another address with the standard --urls.
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.Services.AddIngest();
        configure?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapIngestApi();
        app.MapAnchoringApi();
        app.MapWardView();
        return app;
    }
}
