namespace EdgeTwin.Ingest;

using EdgeTwin.Ingest.Access;
using EdgeTwin.Hosting;
using EdgeTwin.Ingest.Anchoring;
using EdgeTwin.Ingest.Api;
using EdgeTwin.Ingest.Metrics;
using EdgeTwin.Ingest.Ward;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;

/// <summary>Builds the ingest web host; Program runs it, tests start several in one process.</summary>
internal static class IngestHost
{
    public const string DefaultUrl = "http://127.0.0.1:5080";

    /// <summary>Exit code of a start refused for its configuration (sysexits EX_CONFIG), as the gateway's.</summary>
    public const int ConfigurationExitCode = 78;

    /// <summary>
    /// The host, with access control in front of every route (docs/ingest.md "Access").
    /// <see cref="Microsoft.Extensions.Options.OptionsValidationException"/> for a plain-HTTP address
    /// beyond loopback or an unusable token signing key.
    /// </summary>
    public static WebApplication Create(string[] args, Action<IServiceCollection>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Host.UseSystemd();

        // Loopback by default (issue 7); operators choose another address with the standard --urls,
        // which must be HTTPS beyond loopback (issue 14).
        ListenAddresses.Check(builder.Configuration, DefaultUrl);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.Services.AddIngest();
        RefusalLogFilter.Apply(builder.Services);
        configure?.Invoke(builder.Services);
        var app = builder.Build();
        // Listen from the start, so /metrics counts from the first record (as the gateway).
        app.Services.GetRequiredService<MeterProvider>();
        app.AnnounceAccess();
        app.UseAuthentication();
        app.UseMiddleware<AccessRecorder>();
        app.UseAuthorization();
        app.MapSignIn();
        app.MapIngestApi();
        app.MapAnchoringApi();
        app.MapAccessLog();
        app.MapWardView();
        app.MapIngestMetrics();
        return app;
    }
}
