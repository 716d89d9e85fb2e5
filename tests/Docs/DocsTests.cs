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
        string[] run = ["gateway", "status", "watch", "admit", "capture", "outbox", "model-check", "install-dry-run", "hl7-gateway", "hl7-send", "operator-key", "twin-gateway", "desired-publish", "cloud-ingest", "site-certificates", "anchoring"];

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
        Assert.Matches("edgetwin capture: done: [1-9][0-9]* records, [1-9][0-9]* messages on status, twin, alarm-status, receipt, resend and probe topics skipped", captured);
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
    public async Task Readme_CloudIngestOnOneMachine_AfterTheGatewayRanAlone_VerifiesTheNewGatewaysChain()
    {
        // As a reader goes: the gateway of "The two commands" first, alone, long enough to publish (and,
        // receipts off, delete) records no ingest saw; then "Cloud ingest".
        using (var alone = Shell.Start(sub.Gateway(Single("gateway")), dir))
        {
            await alone.WaitForLineAsync(l => l.Contains($"Uplink connected to mqtt://127.0.0.1:{sub.BrokerPort}", StringComparison.Ordinal), Minute, "the uplink connected");
            await UntilAsync(() => RunAsync(DocBlocks.Block("status")[0]), s => TelemetrySeq().Match(s) is { Success: true } m && long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) >= 50,
                "the gateway alone chained 50 telemetry records", alone);
            Assert.Equal(0, await alone.StopAsync(Minute));
        }

        var steps = DocBlocks.Block("cloud-ingest");
        Assert.Equal(6, steps.Count);
        using var mosquitto = await StartInBackgroundAsync(steps[0], " -v", "Opening ipv4 listen socket", "mosquitto listening");
        sub.Address = Address().Match(await RunAsync(steps[1])).Value;
        using var ingest = Shell.Start("exec " + sub.Apply(steps[2]), dir);
        await ingest.WaitForLineAsync(l => l.Contains("as shared group", StringComparison.Ordinal), Minute, "the ingest subscribed");
        await ingest.WaitForLineAsync(l => l.Contains("Now listening on: http://127.0.0.1:", StringComparison.Ordinal), Minute, "the ingest's HTTP API listening"); // the worker may subscribe first
        sub.IngestAddress = Address().Match(await RunAsync(steps[3])).Value;
        Assert.StartsWith("0x", sub.IngestAddress, StringComparison.Ordinal);
        using var gateway = Shell.Start(sub.Gateway(steps[4]), dir);
        await gateway.WaitForLineAsync(l => l.Contains($"Gateway sim-gw at site sim-ward: key {sub.Address}", StringComparison.Ordinal), Minute, "the gateway on the key made for it");
        await gateway.WaitForLineAsync(l => l.Contains($"Uplink connected to mqtt://127.0.0.1:{sub.BrokerPort}", StringComparison.Ordinal), Minute, "the uplink connected to mosquitto");

        // The ingest verifies the gateway's telemetry chain: /api/chains shows it verified beyond seq 0, nothing missing.
        var chains = await UntilAsync(() => RunAsync(steps[5]), VerifiedBeyondGenesis().IsMatch, "the ingest verified sim-gw's telemetry chain", ingest);
        Assert.Matches("\"lane\":\"telemetry\"[^}]*\"missing\":0,", chains);

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
    public async Task Anchoring_TryItOnOneMachine_ProvesTheFirstRecordAgainstTheLocalChain()
    {
        var cloud = DocBlocks.Block("cloud-ingest");
        using var mosquitto = await StartInBackgroundAsync(cloud[0], " -v", "Opening ipv4 listen socket", "mosquitto listening");
        sub.Address = Address().Match(await RunAsync(cloud[1])).Value;

        var steps = DocBlocks.Block("anchoring");
        Assert.Equal(8, steps.Count);
        var anchorer = Address().Match(await RunAsync(steps[0])).Value;
        using var ganache = await StartInBackgroundAsync(steps[1], string.Empty, "RPC Listening on", "ganache listening");
        var deployed = await RunAsync(steps[2]);
        sub.Contract = ContractSetting().Match(deployed).Groups[1].Value;
        Assert.Contains($"anchorer {anchorer}", deployed, StringComparison.OrdinalIgnoreCase);

        using var ingest = Shell.Start("exec " + sub.Apply(steps[3]), dir);
        await ingest.WaitForLineAsync(l => l.Contains("Now listening on: http://127.0.0.1:", StringComparison.Ordinal), Minute, "the ingest's HTTP API listening");
        using var gateway = Shell.Start(sub.Gateway(steps[4]), dir);
        await gateway.WaitForLineAsync(l => l.Contains($"Uplink connected to mqtt://127.0.0.1:{sub.BrokerPort}", StringComparison.Ordinal), Minute, "the uplink connected to mosquitto");

        // The telemetry chain's epoch (README's /api/chains), once the ingest has verified beyond genesis.
        var chains = await UntilAsync(() => RunAsync(cloud[5]), VerifiedBeyondGenesis().IsMatch, "the ingest verified sim-gw's telemetry chain", ingest);
        sub.Epoch = TelemetryEpoch().Match(chains).Groups[1].Value;

        // An anchor with its transaction, then a proof of seq 1: each new anchor may be the one that takes
        // seq 1's checkpoint (the first anchor may hold only the alarm lane's), so prove until proven.
        await UntilAsync(() => RunAsync(steps[5]), a => a.Contains("\"tx\":\"0x", StringComparison.Ordinal), "an anchor mined on the local chain", ingest);
        var verdict = await UntilAsync(
            async () =>
            {
                await RunAsync(steps[6]);
                return (await Shell.RunAsync(sub.Apply(steps[7]), dir, Minute)).Output;
            },
            v => v.Contains("PROVEN", StringComparison.Ordinal) && !v.Contains("NOT PROVEN", StringComparison.Ordinal),
            "verify-proof: PROVEN",
            ingest);

        Assert.DoesNotContain("NOT ANCHORED YET", verdict, StringComparison.Ordinal);
        Assert.Equal(0, (await Shell.RunAsync(sub.Apply(steps[7]), dir, Minute)).Exit);
        var proof = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(dir, "proof.json")))!;
        Assert.Equal(sub.Contract, proof["anchor"]!["contract"]!.GetValue<string>(), StringComparer.OrdinalIgnoreCase);
        Assert.Equal(1, proof["seq"]!.GetValue<long>());
        Assert.Equal(0, await gateway.StopAsync(Minute));
        Assert.Equal(0, await ingest.StopAsync(Minute));
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

    /// <summary>A documented <c>command &amp;</c> (a broker, a chain): the test starts it and waits until it says it is ready.</summary>
    private async Task<Shell> StartInBackgroundAsync(string documented, string extra, string ready, string what)
    {
        var command = documented.Split(" # ")[0].TrimEnd();
        Assert.EndsWith("&", command, StringComparison.Ordinal); // started in the background, as documented
        var shell = Shell.Start("exec " + sub.Apply(command.TrimEnd('&').TrimEnd()) + extra, dir);
        await shell.WaitForLineAsync(l => l.Contains(ready, StringComparison.Ordinal), Minute, what);
        return shell;
    }

    /// <summary>Runs <paramref name="read"/> until what it returns satisfies <paramref name="done"/>, within two minutes (a loaded machine is slow, not broken).</summary>
    private static async Task<string> UntilAsync(Func<Task<string>> read, Func<string, bool> done, string what, Shell watched)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        string last;
        while (!done(last = await read()))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{what}: not seen within 2 min; last: {last}\n{watched.Command}: {watched.Output}");
            await Task.Delay(250);
        }

        return last;
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

    [GeneratedRegex("Ingest:Anchor:Contract=(0x[0-9a-fA-F]{40})")]
    private static partial Regex ContractSetting();

    [GeneratedRegex("\"gw\":\"sim-gw\"[^}]*\"lane\":\"telemetry\",\"epoch\":\"([0-9a-f]{32})\"")]
    private static partial Regex TelemetryEpoch();

    [GeneratedRegex("\"telemetry\":\\{\"epoch\":\"[0-9a-f]{32}\",\"seq\":([0-9]+)")]
    private static partial Regex TelemetrySeq();

    [GeneratedRegex("0x[0-9a-fA-F]{40}")]
    private static partial Regex Address();
}
