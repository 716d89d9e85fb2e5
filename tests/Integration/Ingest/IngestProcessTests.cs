namespace EdgeTwin.Integration.Tests.Ingest;

using EdgeTwin.Integration.Tests.Support;

/// <summary>The built ingest executable as systemd runs it.</summary>
public sealed class IngestProcessTests
{
    /// <summary>
    /// SIGTERM the moment the ingest says it has its key, while its host may still be starting (Kestrel
    /// binds last): it used to abort with an unhandled TaskCanceledException, as the gateway did; now it
    /// stops like any stop. Three fresh starts.
    /// </summary>
    [Fact]
    public async Task SigtermWhileStarting_StopsCleanly_NeverAborts()
    {
        using var mosquitto = new Mosquitto();
        for (var run = 0; run < 3; run++)
        {
            var dir = Directory.CreateTempSubdirectory("edgetwin-it-").FullName;
            using var ingest = GatewayProcess.StartIngest(dir, [$"--urls=http://127.0.0.1:{Mosquitto.FreePort()}", $"--Ingest:Broker=mqtt://127.0.0.1:{mosquitto.Port}",
                $"--Ingest:Storage=litedb:{Path.Combine(dir, "data")}", "--Logging:LogLevel:Default=Information"]);
            await Wait.UntilAsync(() => ingest.Stdout.Contains("Ingest key 0x", StringComparison.Ordinal) || ingest.HasExited, TimeSpan.FromSeconds(60), "the ingest's key line");
            ingest.Terminate();
            Assert.True(ingest.WaitForExit(TimeSpan.FromSeconds(40)), "stopped on SIGTERM");
            Assert.True(ingest.ExitCode == 0, $"exit {ingest.ExitCode}: {ingest.Stderr}{ingest.Stdout}");
            Assert.DoesNotContain("Unhandled exception", ingest.Stderr + ingest.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("Hosting failed to start", ingest.Stderr + ingest.Stdout, StringComparison.Ordinal);
            Directory.Delete(dir, recursive: true);
        }
    }
}
