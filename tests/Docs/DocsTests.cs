namespace EdgeTwin.Docs.Tests;

using System.Text.RegularExpressions;

/// <summary>
/// The documented command sequences, run as written against the built binaries (tests/Docs/README.md):
/// a documented command that stops working fails the build.
/// </summary>
public sealed partial class DocsTests : IDisposable
{
    private static readonly TimeSpan Minute = TimeSpan.FromSeconds(60);
    private readonly string dir = Directory.CreateTempSubdirectory("edgetwin-docs-").FullName;
    private readonly Substitutions sub = new();

    public DocsTests() => Substitutions.LayOutCheckout(dir);

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void EveryMarkedBlock_IsOneThisTestRuns()
    {
        string[] run = ["gateway", "status", "watch", "admit", "capture", "outbox", "model-check", "install-dry-run", "hl7-gateway", "hl7-send", "operator-key", "twin-gateway", "desired-publish", "cloud-ingest", "site-certificates"];

        Assert.Equal(run.Order(StringComparer.Ordinal), DocBlocks.All().Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Readme_RunWatchAdmitCaptureVerifyAndOutbox_WorkAsWritten()
    {
        using var gateway = Shell.Start(sub.Gateway(Single("gateway")), dir);
        var start = await gateway.WaitForLineAsync(l => l.Contains("Gateway sim-gw at site sim-ward: key 0x", StringComparison.Ordinal), Minute, "the start-up line");
        sub.Address = Address().Match(start).Value;
        await gateway.WaitForLineAsync(l => l.Contains($"Uplink connected to mqtt://127.0.0.1:{sub.BrokerPort}", StringComparison.Ordinal), Minute, "the uplink connected");

        var (status, metrics) = (DocBlocks.Block("status")[0], DocBlocks.Block("status")[1]);
        Assert.Contains("\"connected\":true", await RunAsync(status), StringComparison.Ordinal);
        var scrape = await RunAsync(metrics);
        Assert.Contains("# TYPE edgetwin_alarms_active gauge", scrape, StringComparison.Ordinal);
        Assert.Contains("# HELP edgetwin_outbox_records", scrape, StringComparison.Ordinal);

        // mosquitto_sub runs until stopped: the test asks for three messages.
        var watched = await RunAsync(Single("watch") + " -C 3 -W 30");
        Assert.Equal(3, watched.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.StartsWith("edgetwin/v1/sim-ward/sim-gw/", StringComparison.Ordinal)));

        Assert.Matches("\\{\"ok\":true,\"patient\":\"pt-[0-9a-f]+\",\"bed\":\"bed-1\"", await RunAsync(Single("admit")));

        var capture = DocBlocks.Block("capture");
        Assert.Equal(2, capture.Count);
        var captured = await RunAsync(capture[0]);
        Assert.Contains("edgetwin capture: subscribed to edgetwin/v1/#", captured, StringComparison.Ordinal);
        Assert.Matches("edgetwin capture: done: [1-9][0-9]* records, [1-9][0-9]* messages on status, twin, alarm-status, receipt and resend topics skipped", captured);
        var verified = await RunAsync(capture[1]);
        Assert.Matches("OK   sim-gw/telemetry/[0-9a-f]{32}", verified);
        Assert.Contains("verified from seq", verified, StringComparison.Ordinal);
        Assert.True(Sound().IsMatch(verified), verified);

        Assert.Equal(0, await gateway.StopAsync(Minute));
        var outbox = await RunAsync(Single("outbox"));
        Assert.Matches("^telemetry: epoch [0-9a-f]{32} head seq [1-9][0-9]*; stored [0-9]+ records", outbox);
        Assert.Contains("\nalarm: epoch ", outbox, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Twin_DesiredPublish_IsAppliedByTheGatewayThatTrustsTheKey()
    {
        sub.Operator = Address().Match(await RunAsync(Single("operator-key"))).Value;
        using var gateway = Shell.Start(sub.Gateway(Single("twin-gateway")), dir);
        await gateway.WaitForLineAsync(l => l.Contains($"Uplink connected to mqtt://127.0.0.1:{sub.BrokerPort}", StringComparison.Ordinal), Minute, "the uplink connected");

        var publish = DocBlocks.Block("desired-publish");
        await RunAsync(publish[0]);
        var verdict = await RunAsync(publish[1]);

        Assert.Contains("desired-applied: version 1\n", verdict, StringComparison.Ordinal);
        Assert.Equal(0, await gateway.StopAsync(Minute));
    }

    [Fact]
    public async Task Readme_CloudIngestOnOneMachine_VerifiesTheGatewaysChains()
    {
        // The gateway's address comes from its first start, as the README says.
        using (var first = Shell.Start(sub.Gateway(Single("gateway")), dir))
        {
            sub.Address = Address().Match(await first.WaitForLineAsync(l => l.Contains("Gateway sim-gw at site sim-ward: key 0x", StringComparison.Ordinal), Minute, "the start-up line")).Value;
            Assert.Equal(0, await first.StopAsync(Minute));
        }

        var steps = DocBlocks.Block("cloud-ingest");
        Assert.Equal(5, steps.Count);
        Assert.EndsWith("&", steps[0].Split('#')[0].TrimEnd(), StringComparison.Ordinal); // started in the background, as here
        using var mosquitto = Shell.Start("exec " + sub.Apply(steps[0].Split('#')[0].TrimEnd().TrimEnd('&')) + " -v", dir);
        await mosquitto.WaitForLineAsync(l => l.Contains("Opening ipv4 listen socket", StringComparison.Ordinal), Minute, "mosquitto listening");
        using var ingest = Shell.Start("exec " + sub.Apply(steps[1]), dir);
        await ingest.WaitForLineAsync(l => l.Contains("as shared group", StringComparison.Ordinal), Minute, "the ingest subscribed");
        await ingest.WaitForLineAsync(l => l.Contains("Now listening on: http://127.0.0.1:", StringComparison.Ordinal), Minute, "the ingest's HTTP API listening"); // the worker may subscribe first
        sub.IngestAddress = Address().Match(await RunAsync(steps[2])).Value;
        Assert.StartsWith("0x", sub.IngestAddress, StringComparison.Ordinal);
        using var gateway = Shell.Start(sub.Gateway(steps[3]), dir);
        await gateway.WaitForLineAsync(l => l.Contains($"Uplink connected to mqtt://127.0.0.1:{sub.BrokerPort}", StringComparison.Ordinal), Minute, "the uplink connected to mosquitto");

        // The ingest verifies the gateway's telemetry chain: /api/chains shows it verified beyond seq 0.
        var deadline = DateTime.UtcNow + Minute;
        string chains;
        while (!VerifiedBeyondGenesis().IsMatch(chains = await RunAsync(steps[4])))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the ingest never verified sim-gw's telemetry chain: {chains}\ningest: {ingest.Output}");
            await Task.Delay(250);
        }

        Assert.Equal(0, await gateway.StopAsync(Minute));
        Assert.Equal(0, await ingest.StopAsync(Minute));
    }

    [Fact]
    public async Task SiteBroker_CertificateCommands_MakeACaABrokerAndAGatewayCertificate()
    {
        // The block is one script (its commands continue over lines), run as pasted into bash.
        var (exit, output) = await Shell.RunAsync(string.Join('\n', DocBlocks.Block("site-certificates")), dir, Minute);
        Assert.True(exit == 0, output);

        Assert.True(File.Exists(Path.Combine(dir, "bed-gw-1.pem")), output);
        Assert.Equal("broker.pem: OK\nbed-gw-1.pem: OK\n", await RunAsync("openssl verify -CAfile ca.pem broker.pem bed-gw-1.pem"));
        var broker = await RunAsync("openssl x509 -in broker.pem -noout -subject -ext subjectAltName,extendedKeyUsage");
        Assert.Contains("CN = broker.site.example", broker, StringComparison.Ordinal);
        Assert.Contains("DNS:broker.site.example, IP Address:10.0.0.2", broker, StringComparison.Ordinal);
        Assert.Contains("TLS Web Server Authentication", broker, StringComparison.Ordinal);
        var gateway = await RunAsync("openssl x509 -in bed-gw-1.pem -noout -subject -ext extendedKeyUsage");
        Assert.Contains("CN = bed-gw-1", gateway, StringComparison.Ordinal);
        Assert.Contains("TLS Web Client Authentication", gateway, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HardwareReadme_Hl7Example_IsAcknowledged()
    {
        using var gateway = Shell.Start(sub.Gateway(Single("hl7-gateway")), dir);
        await gateway.WaitForLineAsync(l => l.Contains("Gateway sim-gw at site sim-ward: key 0x", StringComparison.Ordinal), Minute, "the start-up line");
        await gateway.WaitForLineAsync(l => l.Contains($":{sub.MonitorPort}", StringComparison.Ordinal), Minute, "the monitor's port listening");

        var ack = await RunAsync(Single("hl7-send"));

        Assert.Contains("MSA|AA|T1", ack, StringComparison.Ordinal);
        Assert.DoesNotContain("not used", ack, StringComparison.Ordinal);
        Assert.Equal(0, await gateway.StopAsync(Minute));
    }

    [Fact]
    public async Task Readme_ModelCheck_ReproducesTheShippedModel()
    {
        var output = await RunAsync(Single("model-check"), Repo.Root, TimeSpan.FromMinutes(2));

        Assert.Matches("rebuilt ([0-9a-f]{64}), shipped \\1: reproduced", output);
    }

    [Theory]
    [InlineData("models --chek", "unknown option --chek")]
    [InlineData("models other", "one folder only")]
    public async Task ModelBuilder_AMistypedOptionOrTwoFolders_IsRefusedWithTheUsage_Exit2_AndBuildsNothing(string arguments, string why)
    {
        var (exit, output) = await Shell.RunAsync($"dotnet '{Repo.Built("tools/ModelBuilder", "EdgeTwin.ModelBuilder.dll")}' {arguments}", dir, Minute);

        Assert.Equal(2, exit);
        Assert.Contains($"usage: ModelBuilder [--check] [folder]  ({why})", output, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Operations_InstallDryRun_SaysWhatItWouldDo_AndChangesNothing()
    {
        sub.InstallRoot = Path.Combine(dir, "root");
        Directory.CreateDirectory(sub.InstallRoot);

        var output = await RunAsync(Single("install-dry-run"), Repo.Root);

        Assert.Contains("would write " + sub.InstallRoot + "/etc/edgetwin/gateway.env", output, StringComparison.Ordinal);
        Assert.EndsWith("dry run: nothing was changed\n", output, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(sub.InstallRoot));
    }

    private static string Single(string id) => Assert.Single(DocBlocks.Block(id));

    /// <summary>Runs a documented command (substituted) and expects exit 0; returns its output.</summary>
    private Task<string> RunAsync(string documented) => RunAsync(documented, dir);

    private Task<string> RunAsync(string documented, string directory) => RunAsync(documented, directory, Minute);

    private async Task<string> RunAsync(string documented, string directory, TimeSpan timeout)
    {
        var command = sub.Apply(documented);
        var (exit, output) = await Shell.RunAsync(command, directory, timeout);
        Assert.True(exit == 0, $"'{documented}' (run as '{command}') exited {exit}:\n{output}");
        return output;
    }

    // The alarm lane of a quiet ward may publish nothing in the capture's 10 s.
    [GeneratedRegex("\nSOUND: [12] chains, [0-9]+ records, [1-9][0-9]* verified\n")]
    private static partial Regex Sound();

    [GeneratedRegex("\"gw\":\"sim-gw\"[^}]*\"lane\":\"telemetry\"[^}]*\"verifiedThrough\":[1-9]")]
    private static partial Regex VerifiedBeyondGenesis();

    [GeneratedRegex("0x[0-9a-fA-F]{40}")]
    private static partial Regex Address();
}
