namespace EdgeTwin.Gateway.Hosting;

using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Gateway.Runtime;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

/// <summary>
/// <c>Gateway:ReleaseStartupPagesAfter</c> (30 s) after the gateway's services have started (the model
/// loaded and run once, the first records sealed and sent), gives the pages of its read-only file
/// mappings back to the kernel once (<see cref="ResidentPages"/>) and logs what that did to the
/// resident set. Once only: what the steady state runs comes back at its first use and stays.
/// </summary>
internal sealed partial class StartupPageRelease(IOptions<GatewayOptions> options, TimeProvider time, ILogger<StartupPageRelease> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var after = options.Value.ReleaseStartupPagesAfter;
        if (after <= TimeSpan.Zero || !OperatingSystem.IsLinux())
        {
            return;
        }

        await QuietDelay.WaitAsync(time, after, stoppingToken).ConfigureAwait(false);
        if (stoppingToken.IsCancellationRequested)
        {
            return;
        }

        ResidentPages.Outcome outcome;
        try
        {
            outcome = ResidentPages.ReleaseOwn();
        }
        catch (IOException ex)
        {
            LogNotReleased(logger, "/proc/self/smaps cannot be read: " + ex.Message);
            return;
        }

        if (outcome.NotDone is { } reason)
        {
            LogNotReleased(logger, reason);
            return;
        }

        LogReleased(logger, outcome.Advised, outcome.AdvisedKiB / 1024.0, outcome.RssKiBBefore / 1024.0, outcome.RssKiBAfter / 1024.0,
            outcome.FileKiBBefore / 1024.0, outcome.FileKiBAfter / 1024.0, outcome.Failed);
    }

    [LoggerMessage(1093, LogLevel.Information, "Start-up pages released: {Mappings} read-only file mappings ({Advised:F1} MiB resident) paged out; resident set {Before:F1} -> {After:F1} MiB, of it file-backed {FileBefore:F1} -> {FileAfter:F1} MiB; {Failed} mappings not taken (gone meanwhile, locked or refused)")]
    private static partial void LogReleased(ILogger logger, int mappings, double advised, double before, double after, double fileBefore, double fileAfter, int failed);

    [LoggerMessage(1094, LogLevel.Warning, "Start-up pages not released ({Reason}): the gateway runs as before, its resident set includes code only start-up used")]
    private static partial void LogNotReleased(ILogger logger, string reason);
}
