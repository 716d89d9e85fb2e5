using EdgeTwin.Hosting;
using EdgeTwin.Ingest;
using Microsoft.Extensions.Options;

try
{
    await using var app = IngestHost.Create(args);
    await HostRun.StartThenWaitAsync(app).ConfigureAwait(false);
    return 0;
}
catch (Exception ex) when (Refusal(ex) is { } refused)
{
    // A configuration that cannot work (plain HTTP beyond loopback, a bad key file, bad settings)
    // stops the start with its reasons and EX_CONFIG, so systemd does not restart it in a loop.
    foreach (var failure in refused.Failures)
    {
        await Console.Error.WriteLineAsync($"edgetwin-ingest: refused to start: {failure}").ConfigureAwait(false);
    }

    return IngestHost.ConfigurationExitCode;
}

static OptionsValidationException? Refusal(Exception ex) => ex switch
{
    OptionsValidationException o => o,
    AggregateException a => a.InnerExceptions.Select(Refusal).FirstOrDefault(r => r is not null),
    _ => ex.InnerException is { } inner ? Refusal(inner) : null,
};
