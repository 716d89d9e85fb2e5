namespace EdgeTwin.Integration.Tests.Gateway;

using EdgeTwin.Integration.Tests.Support;

public class GatewayProcessTests
{
    /// <summary>
    /// SIGTERM the moment the gateway announces itself, while the host may still be binding its status
    /// address: it used to abort (exit 134, "Hosting failed to start" and an unhandled
    /// TaskCanceledException) about one time in two; now it stops like any stop. Three fresh starts.
    /// </summary>
    [Fact]
    public async Task SigtermWhileStarting_StopsCleanly_WithTheFinalCommit_NeverAborts()
    {
        using var mosquitto = new Mosquitto();
        for (var run = 0; run < 3; run++)
        {
            var data = Directory.CreateTempSubdirectory("edgetwin-it-").FullName;
            using var gateway = GatewayProcess.Start(data, InProcessGateway.Args(data, mosquitto.Port, "--Logging:LogLevel:Default=Information"));
            await Wait.UntilAsync(() => gateway.Stdout.Contains("Gateway gw-it at site site-it: key 0x", StringComparison.Ordinal) || gateway.HasExited, TimeSpan.FromSeconds(60), "the start-up line");
            gateway.Terminate();
            Assert.True(gateway.WaitForExit(TimeSpan.FromSeconds(40)), "stopped on SIGTERM");
            Assert.True(gateway.ExitCode == 0, $"exit {gateway.ExitCode}: {gateway.Stderr}{gateway.Stdout}");
            Assert.DoesNotContain("Unhandled exception", gateway.Stderr + gateway.Stdout, StringComparison.Ordinal);
            Assert.Contains("Final commit done", gateway.Stdout + gateway.Stderr, StringComparison.Ordinal);
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task SigkillMidRun_ThenRestart_SameEpochContinues_NoForkNoSeqReused_NothingPublishedMissing()
    {
        using var mosquitto = new Mosquitto();
        await using var capture = await Capture.StartAsync(mosquitto.Port);
        var data = Directory.CreateTempSubdirectory("edgetwin-it-").FullName;
        // A relative data directory resolves against the working directory (the unit's StateDirectory).
        var args = InProcessGateway.Args(data, mosquitto.Port, "--Gateway:DataDirectory=state");

        using (var first = GatewayProcess.Start(data, args))
        {
            await Wait.UntilAsync(() => capture.HighestSeq("telemetry") >= 40 || first.HasExited, TimeSpan.FromSeconds(40), "40 records from the first run");
            Assert.False(first.HasExited, first.Stderr + first.Stdout);
            first.KillHard();
            Assert.True(first.WaitForExit(TimeSpan.FromSeconds(10)));
        }

        var beforeRestart = capture.HighestSeq("telemetry");
        using (var second = GatewayProcess.Start(data, args))
        {
            await Wait.UntilAsync(() => capture.HighestSeq("telemetry") >= beforeRestart + 40 || second.HasExited, TimeSpan.FromSeconds(40), "40 more records after the restart");
            Assert.False(second.HasExited, second.Stderr + second.Stdout);
            second.Terminate();
            Assert.True(second.WaitForExit(TimeSpan.FromSeconds(40)), "graceful stop on SIGTERM");
            Assert.Equal(0, second.ExitCode);
        }

        // The final checkpoints may still be on their way from the broker to the capture when the process has exited.
        await Wait.UntilAsync(capture.LastStatusOffline, TimeSpan.FromSeconds(10), "the offline status after the final records");

        Assert.True(File.Exists(Path.Combine(data, "state", "outbox.db")));
        Assert.True(File.Exists(Path.Combine(data, "state", "gateway.key")));
        var reports = Verification.Verify(capture.AllRecords, Verification.GatewayAddress(Path.Combine(data, "state")));
        Assert.Equal(2, reports.Count); // one epoch per lane: the restart continued the chains
        foreach (var report in reports)
        {
            Verification.AssertComplete(report, capture.AllRecords);
        }

        var geneses = Verification.Kinds(capture.Records("telemetry"), "genesis").Select(g => g.GetProperty("seq").GetInt64()).Distinct();
        Assert.Equal([0L], geneses);
        Directory.Delete(data, recursive: true);
    }

    [Fact]
    public async Task StoresEncrypted_ThenStorageKeyLost_RefusesToStart_LeavingTheStoresAsTheyWere()
    {
        using var mosquitto = new Mosquitto();
        await using var capture = await Capture.StartAsync(mosquitto.Port);
        var (data, state, args) = await RunThenStopAsync(mosquitto, capture, 20);

        var stores = Directory.GetFiles(state, "*.db*").ToDictionary(f => f, File.ReadAllBytes);
        Assert.Contains(Path.Combine(state, "outbox.db"), stores.Keys);
        foreach (var (file, bytes) in stores)
        {
            // The gateway's name is in every lane head (and record) a plain outbox holds.
            Assert.True(bytes.AsSpan().IndexOf("gw-it"u8) < 0, $"{file} holds plaintext");
        }

        File.Delete(Path.Combine(state, "storage.key"));
        using (var second = GatewayProcess.Start(data, args))
        {
            Assert.True(second.WaitForExit(TimeSpan.FromSeconds(30)), "it must exit, not hang");
            Assert.Equal(78, second.ExitCode);
            var refusal = Assert.Single(second.Stderr.Split('\n'), l => l.StartsWith("edgetwin-gateway: refusing to start:", StringComparison.Ordinal));
            Assert.Contains("Gateway:StorageKeyFile", refusal, StringComparison.Ordinal);
            Assert.Contains("generated at this start", refusal, StringComparison.Ordinal);
        }

        Assert.Equal(stores.Keys.Order(), Directory.GetFiles(state, "*.db*").Order());
        foreach (var (file, bytes) in stores)
        {
            Assert.Equal(bytes, File.ReadAllBytes(file));
        }

        Directory.Delete(data, recursive: true);
    }

    [Fact]
    public async Task GatewayKeyReplacedUnderItsOutbox_RefusesToStart_OutboxUntouched_MovedAsideANewEpochStartsUnderTheNewKey()
    {
        using var mosquitto = new Mosquitto();
        await using var capture = await Capture.StartAsync(mosquitto.Port);
        var (data, state, args) = await RunThenStopAsync(mosquitto, capture, 5);

        var oldKey = Verification.GatewayAddress(state);
        var outbox = Path.Combine(state, "outbox.db");
        var before = File.ReadAllBytes(outbox);
        File.Delete(Path.Combine(state, "gateway.key"));
        using (var second = GatewayProcess.Start(data, args))
        {
            Assert.True(second.WaitForExit(TimeSpan.FromSeconds(30)), "it must exit, not hang");
            Assert.Equal(78, second.ExitCode);
            var refusal = Assert.Single(second.Stderr.Split('\n'), l => l.StartsWith("edgetwin-gateway: refusing to start:", StringComparison.Ordinal));
            Assert.Contains("Gateway:KeyFile", refusal, StringComparison.Ordinal);
            Assert.Contains($"is signed by {oldKey}", refusal, StringComparison.Ordinal);
            AssertNoStackTrace(second);
        }

        Assert.Equal(before, File.ReadAllBytes(outbox));

        // The documented way on: the outbox moved aside, the gateway starts new chains under the key it now has.
        File.Move(outbox, outbox + ".old-key");
        File.Move(Path.Combine(state, "outbox-log.db"), Path.Combine(state, "outbox-log.db.old-key"));
        var epochs = Verification.Kinds(capture.Records("telemetry"), "genesis").Count;
        using (var third = GatewayProcess.Start(data, args))
        {
            await Wait.UntilAsync(() => Verification.Kinds(capture.Records("telemetry"), "genesis").Count > epochs || third.HasExited, TimeSpan.FromSeconds(40), "a new epoch");
            Assert.False(third.HasExited, third.Stderr + third.Stdout);
            var newKey = Verification.GatewayAddress(state);
            Assert.NotEqual(oldKey, newKey);
            var genesis = Assert.Single(Verification.Kinds(capture.Records("telemetry"), "genesis"), g => g.GetProperty("body").GetProperty("key").GetString() == newKey);
            Assert.Equal("store-lost", genesis.GetProperty("body").GetProperty("reason").GetString());
            third.Terminate();
            Assert.True(third.WaitForExit(TimeSpan.FromSeconds(40)), "graceful stop on SIGTERM");
        }

        Directory.Delete(data, recursive: true);
    }

    /// <summary>A gateway process in a new data directory (state in its <c>state</c> folder) until it published <paramref name="records"/> telemetry records, then SIGTERM.</summary>
    private static async Task<(string Data, string State, string[] Args)> RunThenStopAsync(Mosquitto mosquitto, Capture capture, int records)
    {
        var data = Directory.CreateTempSubdirectory("edgetwin-it-").FullName;
        var args = InProcessGateway.Args(data, mosquitto.Port, "--Gateway:DataDirectory=state");
        using var first = GatewayProcess.Start(data, args);
        await Wait.UntilAsync(() => capture.HighestSeq("telemetry") >= records || first.HasExited, TimeSpan.FromSeconds(40), $"{records} records");
        Assert.False(first.HasExited, first.Stderr + first.Stdout);
        first.Terminate();
        Assert.True(first.WaitForExit(TimeSpan.FromSeconds(40)), "graceful stop on SIGTERM");
        return (data, Path.Combine(data, "state"), args);
    }

    public static TheoryData<string, string[], string> BadConfigurations => new()
    {
        { "Uplink:Broker", ["--Uplink:Broker=amqp://127.0.0.1:5672"], "unknown scheme 'amqp'" },
        { "Gateway:KeyFile", ["--Gateway:KeyFile={dir}/keydir"], "keydir" },
        { "Gateway:KeyFile", ["--Gateway:KeyFile={dir}/open.key"], "mode 644" },
        { "Gateway:DataDirectory", ["--Gateway:DataDirectory=/proc/edgetwin-it"], "not writable" },
        { "Gateway:StorageKeyFile", ["--Gateway:StorageKeyFile={dir}/unmounted/storage.key"], "unmounted/storage.key" },
        { "Uplink:EmbeddedBind", ["--Uplink:Broker=", "--Uplink:EmbeddedBind=0.0.0.0"], "beyond this box with no login" },
        { "Uplink:EmbeddedPassword", ["--Uplink:Broker=", "--Uplink:EmbeddedUsername=viewer"], "a password is needed too" },
        { "Gateway:SettingsFile", ["--Gateway:SettingsFile={dir}/devices.json"], "devices.json' does not exist" },
        { "Annunciator:QuietHours", ["--Annunciator:QuietHours=22-07"], "'22-07' is not HH:mm-HH:mm" },
        // Issue 14: a site secret others may read used to abort the start (exit 134, a stack trace).
        { "Twin:SiteSecretPath", ["--Gateway:DataDirectory={dir}/loose"], "site secret file '{dir}/loose/site-secret' has mode 644" },
        { "Gateway:AdminTokenFile", ["--Gateway:AdminTokenFile={dir}/loose/site-secret"], "admin token file '{dir}/loose/site-secret' has mode 644" },
        { "Status:Url", ["--Status:Url=http://0.0.0.0:0"], "beyond this box in clear" },
        { "Status:Url", ["--Status:Url=https://192.0.2.1:8443"], "Kestrel:Certificates:Default:Path names no certificate" },
        { "SendingApplication", ["--Devices:0:Type=hl7-mllp", "--Devices:0:Id=monitor-1", "--Devices:0:Address=0.0.0.0"], "required when Address (0.0.0.0) is not loopback" },
    };

    [Theory]
    [MemberData(nameof(BadConfigurations))]
    public void BadConfiguration_RefusesToStart_WithOneMessageNamingTheSetting_AndNoStackTrace(string setting, string[] extra, string detail)
    {
        var dir = Directory.CreateTempSubdirectory("edgetwin-it-").FullName;
        Directory.CreateDirectory(Path.Combine(dir, "keydir"));
        File.WriteAllText(Path.Combine(dir, "open.key"), "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318\n");
        File.SetUnixFileMode(Path.Combine(dir, "open.key"), (UnixFileMode)0b110_100_100);
        Directory.CreateDirectory(Path.Combine(dir, "loose"));
        File.WriteAllText(Path.Combine(dir, "loose", "site-secret"), new string('a', 64) + "\n");
        File.SetUnixFileMode(Path.Combine(dir, "loose", "site-secret"), (UnixFileMode)0b110_100_100);
        var args = InProcessGateway.Args(Path.Combine(dir, "data"), Mosquitto.FreePort())
            .Concat(extra.Select(a => a.Replace("{dir}", dir, StringComparison.Ordinal))).ToArray();

        using var process = GatewayProcess.Start(dir, args);
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)), "it must exit, not hang");
        Assert.Equal(78, process.ExitCode);
        var refusal = process.Stderr.Split('\n').Where(l => l.StartsWith("edgetwin-gateway: refusing to start:", StringComparison.Ordinal)).ToList();
        Assert.Single(refusal);
        Assert.Contains(setting, refusal[0], StringComparison.Ordinal);
        Assert.Contains(detail.Replace("{dir}", dir, StringComparison.Ordinal), refusal[0], StringComparison.Ordinal);
        AssertNoStackTrace(process);
        Assert.False(File.Exists(Path.Combine(dir, "data", "outbox.db")), "nothing created");
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void EmbeddedBrokerPortTaken_RefusesToStart_SayingSo_WithNoStackTrace()
    {
        var dir = Directory.CreateTempSubdirectory("edgetwin-it-").FullName;
        using var squatter = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((System.Net.IPEndPoint)squatter.LocalEndpoint).Port;
        var args = InProcessGateway.Args(Path.Combine(dir, "data"), port).Append("--Uplink:Broker=").Append($"--Uplink:EmbeddedPort={port}").ToArray();

        using var process = GatewayProcess.Start(dir, args);
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)), "it must exit, not hang");
        Assert.Equal(78, process.ExitCode);
        var refusal = Assert.Single(process.Stderr.Split('\n'), l => l.StartsWith("edgetwin-gateway: refusing to start:", StringComparison.Ordinal));
        Assert.Contains("Uplink:Broker", refusal, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{port}", refusal, StringComparison.Ordinal);
        Assert.Contains("in use", refusal, StringComparison.Ordinal);
        AssertNoStackTrace(process);
        Directory.Delete(dir, recursive: true);
    }

    /// <summary>
    /// Issue 15: the gateway process gives back the pages start-up read (Gateway:ReleaseStartupPagesAfter).
    /// ONNX Runtime's text, read in nearly whole when the model's session is made, is then mostly no longer
    /// resident in the process (as its /proc/PID/smaps says, read from outside), and the gateway goes on
    /// sealing and publishing records and stops cleanly.
    /// </summary>
    [Fact]
    public async Task StartupPagesReleased_OnnxRuntimeTextNoLongerResident_TheGatewayGoesOnPublishing()
    {
        using var mosquitto = new Mosquitto();
        await using var capture = await Capture.StartAsync(mosquitto.Port);
        var data = Directory.CreateTempSubdirectory("edgetwin-it-").FullName;
        // A page another process maps too is not paged out, and the suite runs other gateways from the same build
        // beside this one: this one runs from its own copy of the build, so its libonnxruntime.so is its alone.
        var dll = PrivateCopyOfTheBuild(Path.Combine(data, "build"));
        using var gateway = GatewayProcess.StartPublished(dll, data, InProcessGateway.Args(Path.Combine(data, "state"), mosquitto.Port,
            "--Gateway:ReleaseStartupPagesAfter=00:00:10", "--Logging:LogLevel:EdgeTwin.Gateway.Hosting.StartupPageRelease=Information"));
        const string Released = "Start-up pages released:";

        // The model is loaded before the services start, so well before the release.
        await Wait.UntilAsync(() => ResidentKiB(gateway, "libonnxruntime.so") >= 8 * 1024 || gateway.HasExited, TimeSpan.FromSeconds(60), "ONNX Runtime loaded");
        var before = ResidentKiB(gateway, "libonnxruntime.so");
        Assert.DoesNotContain(Released, gateway.Stdout, StringComparison.Ordinal);

        await Wait.UntilAsync(() => gateway.Stdout.Contains(Released, StringComparison.Ordinal) || gateway.HasExited, TimeSpan.FromSeconds(60), "the release");
        Assert.False(gateway.HasExited, gateway.Stderr + gateway.Stdout);
        var after = ResidentKiB(gateway, "libonnxruntime.so");
        Assert.True(after < before / 2, $"libonnxruntime.so resident {before} KiB before the release, {after} KiB after");

        var seq = capture.HighestSeq("telemetry");
        await Wait.UntilAsync(() => capture.HighestSeq("telemetry") >= seq + 20 || gateway.HasExited, TimeSpan.FromSeconds(60), "20 more records after the release");
        Assert.False(gateway.HasExited, gateway.Stderr + gateway.Stdout);
        Assert.DoesNotContain("Start-up pages not released", gateway.Stdout + gateway.Stderr, StringComparison.Ordinal);
        gateway.Terminate();
        Assert.True(gateway.WaitForExit(TimeSpan.FromSeconds(40)), "stopped on SIGTERM");
        Assert.Equal(0, gateway.ExitCode);
        Directory.Delete(data, recursive: true);
    }

    /// <summary>
    /// With the model disabled the gateway never loads ONNX Runtime's native library (3.3 MiB resident when it
    /// did): after 20 records published, the process maps no libonnxruntime.so, and its status says rules only.
    /// (With the model enabled it is mapped: the test above waits for its pages.)
    /// </summary>
    [Fact]
    public async Task ModelDisabled_OnnxRuntimeNeverLoaded_TheGatewayPublishesOnRulesOnly()
    {
        using var mosquitto = new Mosquitto();
        await using var capture = await Capture.StartAsync(mosquitto.Port);
        var data = Directory.CreateTempSubdirectory("edgetwin-it-").FullName;
        var statusPort = Mosquitto.FreePort();
        using var gateway = GatewayProcess.Start(data, InProcessGateway.Args(data, mosquitto.Port, "--Inference:Model:Enabled=false", $"--Status:Url=http://127.0.0.1:{statusPort}"));
        using var status = new GatewayStatus(statusPort);

        await Wait.UntilAsync(() => capture.HighestSeq("telemetry") >= 20 || gateway.HasExited, TimeSpan.FromSeconds(60), "20 records published with the model disabled");
        Assert.False(gateway.HasExited, gateway.Stderr + gateway.Stdout);
        Assert.DoesNotContain(File.ReadLines($"/proc/{gateway.Id}/maps"), l => l.Contains("libonnxruntime", StringComparison.Ordinal));
        Assert.Equal("rules-only", status.Read()!.Value.GetProperty("model").GetProperty("status").GetString());

        gateway.Terminate();
        Assert.True(gateway.WaitForExit(TimeSpan.FromSeconds(40)), "stopped on SIGTERM");
        Assert.Equal(0, gateway.ExitCode);
        Directory.Delete(data, recursive: true);
    }

    /// <summary>
    /// The built gateway copied into <paramref name="directory"/> (its own files, the model, the Linux x64 and Unix
    /// native libraries; not the other platforms'), for a process whose file pages no other process shares.
    /// </summary>
    private static string PrivateCopyOfTheBuild(string directory)
    {
        var built = Path.GetDirectoryName(GatewayProcess.GatewayDll)!;
        Directory.CreateDirectory(directory);
        foreach (var file in Directory.EnumerateFiles(built))
        {
            File.Copy(file, Path.Combine(directory, Path.GetFileName(file)));
        }

        foreach (var sub in new[] { "models", Path.Combine("runtimes", "linux-x64"), Path.Combine("runtimes", "unix") })
        {
            var from = Path.Combine(built, sub);
            foreach (var file in Directory.Exists(from) ? Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories) : [])
            {
                var to = Path.Combine(directory, sub, Path.GetRelativePath(from, file));
                Directory.CreateDirectory(Path.GetDirectoryName(to)!);
                File.Copy(file, to);
            }
        }

        return Path.Combine(directory, "EdgeTwin.Gateway.dll");
    }

    /// <summary>The resident KiB of the process's mappings of the file named <paramref name="file"/> (its /proc/PID/smaps).</summary>
    private static long ResidentKiB(GatewayProcess process, string file)
    {
        long total = 0;
        var counting = false;
        try
        {
            foreach (var line in File.ReadLines($"/proc/{process.Id}/smaps"))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length >= 5 && fields[0].Contains('-', StringComparison.Ordinal) && !fields[0].EndsWith(':'))
                {
                    counting = fields.Length >= 6 && fields[^1].EndsWith("/" + file, StringComparison.Ordinal);
                }
                else if (counting && fields is ["Rss:", var kb, "kB"])
                {
                    total += long.Parse(kb, System.Globalization.CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
            return 0; // exited meanwhile
        }

        return total;
    }

    /// <summary>A refusal is the one line: the host's "Hosting failed to start" and its stack trace stay out (issue 22).</summary>
    private static void AssertNoStackTrace(GatewayProcess process)
    {
        var output = process.Stdout + process.Stderr;
        Assert.DoesNotContain("Hosting failed to start", output, StringComparison.Ordinal);
        Assert.DoesNotContain(output.Split('\n'), l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal));
    }
}
