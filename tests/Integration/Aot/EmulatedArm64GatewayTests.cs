namespace EdgeTwin.Integration.Tests.Aot;

using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using EdgeTwin.Integration.Tests.Support;
using Xunit.Abstractions;

/// <summary>
/// The gateway cross-published for linux-arm64 with NativeAOT on this x64 machine
/// (<c>scripts/publish-pi-aot.sh DIR</c>), run under qemu's user-mode emulator (<c>qemu-aarch64-static</c>,
/// with the arm64 C and C++ libraries of Debian's multiarch that the script installs): it starts, loads and
/// runs the ONNX model (arm64 ONNX Runtime), signs, chains, writes LiteDB and publishes; to a real mosquitto
/// the ingest verifies every record from genesis and receipts them, and this machine's <c>edgetwin outbox</c>
/// reads the outbox it wrote. Emulated, not a Pi: times are stated, never asserted, and memory is not measured.
/// The publish takes minutes of the AOT compiler, so this runs only when <c>EDGETWIN_AOT_ARM64_DIR</c> names
/// the published directory, and only under its own filter (<c>Category=NativeAotArm64</c>; scripts/test.sh leaves
/// it out, with or without <c>EDGETWIN_TEST_AOT=1</c>).
/// </summary>
[Trait("Category", "NativeAotArm64")]
public sealed partial class EmulatedArm64GatewayTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>Emulation on a shared two-core machine: minutes are allowed where a native start takes a second.</summary>
    private static readonly TimeSpan Emulated = TimeSpan.FromSeconds(240);

    /// <summary>ELF <c>e_machine</c> of AArch64.</summary>
    private const ushort Aarch64 = 183;

    private readonly string _dir = Directory.CreateTempSubdirectory("edgetwin-it-arm64-").FullName;

    [Fact]
    public async Task PublishedForArm64_UnderQemu_OnEmbeddedDefaults_LoadsAndRunsTheModel_PublishesVerifiedRecords_StopsCleanly()
    {
        var (exe, qemu) = Published();
        var brokerPort = Mosquitto.FreePort();
        using var status = new GatewayStatus(Mosquitto.FreePort());
        using var http = new HttpClient { BaseAddress = new Uri(status.Url["--Status:Url=".Length..]), Timeout = TimeSpan.FromSeconds(10) };
        var clock = Stopwatch.StartNew();
        using var gateway = GatewayProcess.StartEmulated(qemu, exe, _dir, [$"--Uplink:EmbeddedPort={brokerPort}", status.Url]);

        await Wait.UntilAsync(async () => gateway.HasExited || await PublishedAsync(http) > 0, Emulated, () => "the emulated gateway's first PUBACK\n" + gateway.Stderr + gateway.Stdout);
        Assert.False(gateway.HasExited, gateway.Stderr + gateway.Stdout);
        output.WriteLine($"first PUBACK (edgetwin_uplink_published > 0) {clock.Elapsed.TotalSeconds:F1} s after the emulator started");

        // A checkpoint the gateway signed verifies against its key over the chain of records before it.
        await using var capture = await Support.Capture.StartAsync(brokerPort); // Support's, not RegularExpressions'
        var address = Verification.GatewayAddress(Path.Combine(_dir, "data"));
        await Wait.UntilAsync(() => gateway.HasExited || NativeAotGatewayTests.Telemetry(capture, address) is { Verified: > 0 }, Emulated, "a verified telemetry checkpoint from the emulated gateway");
        Assert.False(gateway.HasExited, gateway.Stderr + gateway.Stdout);
        var report = NativeAotGatewayTests.Telemetry(capture, address)!;
        Assert.True(report.Sound, string.Join("; ", report.Problems));
        Assert.Equal(address, report.Key);
        output.WriteLine($"verified telemetry checkpoint {clock.Elapsed.TotalSeconds:F1} s after the start");

        // "loaded" is said only after one run of the graph on a resting patient gave a probability (ModelRunner.Open).
        var body = status.Read()!.Value;
        var model = body.GetProperty("model");
        Assert.Equal("loaded", model.GetProperty("status").GetString());
        var shipped = Path.Combine(Path.GetDirectoryName(exe)!, "models", "edgetwin-deterioration-1.onnx");
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(shipped))), model.GetProperty("sha256").GetString());
        Assert.True(body.GetProperty("lanes").GetProperty("telemetry").GetProperty("chained").GetProperty("samples").GetInt64() > 0);

        gateway.Terminate();
        Assert.True(gateway.WaitForExit(TimeSpan.FromSeconds(90)), "stopped on SIGTERM");
        var log = gateway.Stdout + gateway.Stderr;
        Assert.True(gateway.ExitCode == 0, $"exit {gateway.ExitCode}: {log}");
        Assert.Contains("Final commit done", log, StringComparison.Ordinal);
        AssertNoAotFailure(log);
    }

    [Fact]
    public async Task PublishedForArm64_UnderQemu_ToARealMosquitto_TheIngestVerifiesEveryRecordAndReceipts_TheOutboxItWroteReadsHere()
    {
        var (exe, qemu) = Published();
        using var rig = new ResendRig { GatewayLauncher = (root, args) => GatewayProcess.StartEmulated(qemu, exe, root, args) };
        rig.StartIngest();
        var clock = Stopwatch.StartNew();
        rig.StartGateway();

        await Wait.UntilAsync(async () => rig.Gateway!.HasExited || await MetricAsync(rig, "edgetwin_uplink_published") > 0, Emulated, () => "the emulated gateway's first PUBACK from mosquitto\n" + rig.Output());
        Assert.False(rig.Gateway!.HasExited, rig.Output());
        output.WriteLine($"first PUBACK from mosquitto {clock.Elapsed.TotalSeconds:F1} s after the emulator started");
        await Wait.UntilAsync(async () => rig.Gateway.HasExited || await MetricAsync(rig, "edgetwin_uplink_receipts") > 0, Emulated, () => "a receipt from the ingest accepted by the emulated gateway\n" + rig.Output());
        Assert.False(rig.Gateway.HasExited, rig.Output());
        output.WriteLine($"first receipt accepted {clock.Elapsed.TotalSeconds:F1} s after the start");
        var epoch = (await rig.LaneAsync("telemetry")).Epoch;

        rig.Gateway.Terminate();
        Assert.True(rig.Gateway.WaitForExit(TimeSpan.FromSeconds(90)), "stopped on SIGTERM");
        var log = rig.Gateway.Stdout + rig.Gateway.Stderr;
        Assert.True(rig.Gateway.ExitCode == 0, $"exit {rig.Gateway.ExitCode}: {log}");
        AssertNoAotFailure(log);

        // The LiteDB outbox written by the arm64 process, read by this machine's edgetwin command.
        var (code, outbox, error) = await Tool.RunAsync("outbox", rig.GatewayData);
        Assert.True(code == 0, error);
        var head = OutboxHead().Match(outbox);
        Assert.True(head.Success, outbox);
        Assert.Equal(epoch, head.Groups["epoch"].Value);
        var last = long.Parse(head.Groups["seq"].Value, CultureInfo.InvariantCulture);
        Assert.True(last > 0, outbox);

        // The ingest verified the whole chain from genesis under the enrolled key, the final checkpoint covering all before it.
        await Wait.UntilAsync(
            async () => await rig.ChainAsync("telemetry", epoch) is { } c && (long)c["verifiedThrough"]! >= last - 1 && (long)c["missing"]! == 0,
            Emulated, () => $"telemetry verified through {last - 1}, nothing missing\n" + rig.Output());
        output.WriteLine($"ingest verified telemetry seq 0..{last - 1} of epoch {epoch}, {clock.Elapsed.TotalSeconds:F1} s after the start");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The published executable and the emulator; each missing piece said by name.</summary>
    private static (string Exe, string Qemu) Published()
    {
        var dir = Environment.GetEnvironmentVariable("EDGETWIN_AOT_ARM64_DIR");
        Assert.True(dir is { Length: > 0 }, "EDGETWIN_AOT_ARM64_DIR must name a linux-arm64 NativeAOT publish of the gateway (scripts/publish-pi-aot.sh DIR makes one)");
        var exe = Path.Combine(dir, "EdgeTwin.Gateway");
        Assert.True(File.Exists(exe), $"no {exe}: EDGETWIN_AOT_ARM64_DIR must name the directory scripts/publish-pi-aot.sh published to");
        Assert.False(File.Exists(Path.Combine(dir, "EdgeTwin.Gateway.dll")), "the publish is a native executable, not an IL assembly");
        Assert.Equal(Aarch64, Machine(exe));
        Assert.Equal(Aarch64, Machine(Path.Combine(dir, "libonnxruntime.so")));
        var qemu = new[] { "/usr/bin/qemu-aarch64-static", "/usr/bin/qemu-aarch64" }.FirstOrDefault(File.Exists);
        Assert.True(qemu is not null, "no qemu-aarch64-static: apt-get install qemu-user-static (scripts/publish-pi-aot.sh installs it)");
        foreach (var library in new[] { "/lib/ld-linux-aarch64.so.1", "/usr/lib/aarch64-linux-gnu/libstdc++.so.6", "/usr/lib/aarch64-linux-gnu/libssl.so.3" })
        {
            Assert.True(File.Exists(library), $"no {library}: dpkg --add-architecture arm64; apt-get install libc6:arm64 libstdc++6:arm64 libssl3:arm64 (scripts/publish-pi-aot.sh does)");
        }
        return (exe, qemu);
    }

    private static ushort Machine(string elf)
    {
        Span<byte> head = stackalloc byte[20];
        using (var file = File.OpenRead(elf))
        {
            file.ReadExactly(head);
        }

        Assert.True(head[..4].SequenceEqual("\u007fELF"u8), $"{elf} is not an ELF file");
        return BitConverter.ToUInt16(head[18..]);
    }

    private static void AssertNoAotFailure(string log)
    {
        foreach (var failure in NativeAotGatewayTests.AotFailures)
        {
            Assert.False(log.Contains(failure, StringComparison.Ordinal), $"the emulated arm64 gateway logged '{failure}':\n{log}");
        }
    }

    /// <summary>Records published and PUBACKed (any lane), 0 while the gateway does not answer yet.</summary>
    private static async Task<double> PublishedAsync(HttpClient http) =>
        await PrometheusScrape.ScrapeAsync(http) is { } samples ? samples.Where(s => s.Key.StartsWith("edgetwin_uplink_published{", StringComparison.Ordinal)).Sum(s => s.Value) : 0;

    private static async Task<double> MetricAsync(ResendRig rig, string name)
    {
        try
        {
            return await rig.MetricAsync(name);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return 0;
        }
    }

    [GeneratedRegex(@"telemetry: epoch (?<epoch>[0-9a-f]{32}) head seq (?<seq>\d+);")]
    private static partial Regex OutboxHead();
}
