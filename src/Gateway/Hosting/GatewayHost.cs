namespace EdgeTwin.Gateway.Hosting;

using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Gateway.Pairing;
using EdgeTwin.Gateway.Status;
using EdgeTwin.Gateway.Twin;
using EdgeTwin.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

/// <summary>
/// Builds and runs the gateway host. Its own configuration files are found next to the executable
/// (a service's working directory is not the project folder); relative paths in settings resolve
/// against the working directory. A configuration problem ends the process with exit code 78
/// (EX_CONFIG, which the unit does not restart on) and one line naming the setting.
/// <c>Gateway:SettingsFile</c> names one more JSON file (a device profile), layered right above
/// appsettings.json.
/// </summary>
internal static class GatewayHost
{
    /// <summary>Besides invalid options, what the gateway refuses to start on (exit 78, one line, no stack trace).</summary>
    internal static bool IsRefusal(Exception ex) => ex is StartupException;

    public const int ExitConfig = 78;

    /// <summary>The whole process: build, run, and a refusal (also of the settings file) as one line and exit 78.</summary>
    public static async Task<int> MainAsync(string[] args)
    {
        WebApplication app;
        try
        {
            app = CreateBuilder(args).Build();
        }
        catch (StartupException ex)
        {
            return Refuse(ex.Message);
        }

        return await RunAsync(app).ConfigureAwait(false);
    }

    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });
        AddSettingsFile(builder.Configuration);
        builder.Services.AddSystemd();
        var url = builder.Configuration[$"{StatusOptions.Section}:Url"] ?? new StatusOptions().Url;
        builder.WebHost.UseUrls(string.IsNullOrWhiteSpace(url) ? "http://127.0.0.1:0" : url);
        builder.Services.AddEdgeTwinGateway(builder.Configuration);
        RefusalLogFilter.Apply(builder.Services, IsRefusal);
        return builder;
    }

    public static async Task<int> RunAsync(WebApplication app)
    {
        app.MapGatewayStatus();
        app.MapTwin();
        app.MapPairing();
        // Listen from the start, so /metrics counts from the first sample.
        app.Services.GetRequiredService<MeterProvider>();
        try
        {
            // SIGTERM while still starting stops the started services as any stop does, the outbox's final commit included.
            await HostRun.StartThenWaitAsync(app).ConfigureAwait(false);
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
        finally
        {
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static void AddSettingsFile(ConfigurationManager configuration)
    {
        const string Setting = $"{GatewayOptions.Section}:{nameof(GatewayOptions.SettingsFile)}";
        if (configuration[Setting] is not { Length: > 0 } file)
        {
            return;
        }

        var path = Path.GetFullPath(file);
        if (!File.Exists(path))
        {
            throw new StartupException(Setting, $"'{path}' does not exist.");
        }

        // Above the JSON files next to the executable, below environment variables and the command line.
        var index = configuration.Sources.Select((s, i) => (s, i)).LastOrDefault(x => x.s is JsonConfigurationSource).i + 1;
        var source = new JsonConfigurationSource { Path = path, Optional = false };
        source.ResolveFileProvider();
        try
        {
            configuration.Sources.Insert(index, source);
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or IOException or UnauthorizedAccessException)
        {
            configuration.Sources.Remove(source);
            throw new StartupException(Setting, $"'{path}' cannot be read ({ex.InnerException?.Message ?? ex.Message}).");
        }
    }

    private static int Refuse(string message)
    {
        Console.Error.WriteLine($"edgetwin-gateway: refusing to start: {message}");
        return ExitConfig;
    }
}
