namespace EdgeTwin.Gateway.Hosting;

using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Gateway.Status;
using EdgeTwin.Gateway.Twin;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

/// <summary>
/// Builds and runs the gateway host. Its own configuration files are found next to the executable
/// (a service's working directory is not the project folder); relative paths in settings resolve
/// against the working directory. A configuration problem ends the process with exit code 78
/// (EX_CONFIG, which the unit does not restart on) and one line naming the setting.
/// </summary>
internal static class GatewayHost
{
    public const int ExitConfig = 78;

    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Services.AddSystemd();
        var url = builder.Configuration[$"{StatusOptions.Section}:Url"] ?? new StatusOptions().Url;
        builder.WebHost.UseUrls(string.IsNullOrWhiteSpace(url) ? "http://127.0.0.1:0" : url);
        builder.Services.AddEdgeTwinGateway(builder.Configuration);
        RefusalLogFilter.Apply(builder.Services);
        return builder;
    }

    public static async Task<int> RunAsync(WebApplication app)
    {
        app.MapGatewayStatus();
        app.MapTwin();
        // Listen from the start, so /metrics counts from the first sample.
        app.Services.GetRequiredService<MeterProvider>();
        try
        {
            await app.RunAsync().ConfigureAwait(false);
            return Environment.ExitCode;
        }
        catch (OptionsValidationException ex)
        {
            return Refuse(string.Join(" ", ex.Failures));
        }
        catch (StartupException ex)
        {
            return Refuse(ex.Message);
        }
    }

    private static int Refuse(string message)
    {
        Console.Error.WriteLine($"edgetwin-gateway: refusing to start: {message}");
        return ExitConfig;
    }
}
