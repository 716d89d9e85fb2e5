namespace EdgeTwin.Integration.Tests.Aot;

using System.Net;
using System.Text;
using System.Text.Json;
using EdgeTwin.Drivers.Tests.Ble.FakeBluez;
using EdgeTwin.Ingest.Tests.Support;
using EdgeTwin.Integration.Tests.Support;
using EdgeTwin.Telemetry.Verification;

/// <summary>
/// The gateway published with NativeAOT (linux-x64; needs clang, lld and zlib1g-dev) runs on its
/// embedded defaults (simulated ward, embedded broker, <c>./data</c> of a fresh directory): its twin
/// store is written and read back after a restart, signed records verify, the status address's JSON
/// bodies are written, and nothing in its log says that reflection or runtime code generation was
/// missing; and it reads a BLE device and pairs another through a fake bluetoothd on a private
/// dbus-daemon (the BlueZ code is on Tmds.DBus.Protocol). The test publishes to <c>artifacts/linux-x64-aot</c> (2-5 min: the AOT compiler runs again
/// whenever MSBuild has recompiled the libraries, which every publish with other properties does);
/// <c>scripts/test.sh</c> publishes there before the tests and names the executable in
/// <c>EDGETWIN_AOT_GATEWAY</c>, which this test then runs instead of publishing again. Filter: <c>Category=NativeAot</c>.
/// </summary>
[Trait("Category", "NativeAot")]
public sealed class NativeAotGatewayTests : IDisposable
{
    /// <summary>What a NativeAOT build logs or throws when the code needs metadata or code it does not have.</summary>
    internal static readonly string[] AotFailures =
    [
        "Reflection-based serialization has been disabled", "MissingMetadataException", "RequiresDynamicCode", "PlatformNotSupportedException",
        "NotSupportedException", "Dynamic code generation is not supported", "Unhandled exception", "fail: ", "crit: ",
    ];

    private readonly string _dir = Directory.CreateTempSubdirectory("edgetwin-it-aot-").FullName;

    [Fact]
    public async Task Published_OnEmbeddedDefaults_WritesAndReloadsItsTwin_PublishesVerifiedRecords_WithoutAotFailures()
    {
        var exe = await PublishAsync();
        var brokerPort = Mosquitto.FreePort();
        using var status = new GatewayStatus(Mosquitto.FreePort());
        // Only the ports move off their defaults (1883 and 8480 may be in use on a test machine).
        string[] args = [$"--Uplink:EmbeddedPort={brokerPort}", status.Url];
        var baseUrl = status.Url["--Status:Url=".Length..];
        var data = Path.Combine(_dir, "data");
        string patient;
        var logs = new StringBuilder();

        using (var first = GatewayProcess.StartPublished(exe, _dir, args))
        {
            await Wait.UntilAsync(() => status.Read() is { } s && s.GetProperty("connected").GetBoolean() || first.HasExited, TimeSpan.FromSeconds(60), "the AOT gateway's status saying its uplink is connected");
            Assert.False(first.HasExited, first.Stderr + first.Stdout);
            await using var capture = await Capture.StartAsync(brokerPort);
            var address = Verification.GatewayAddress(data);

            // A reported twin is published only after the twin store saved it; a telemetry checkpoint verifies against the gateway's key.
            await Wait.UntilAsync(() => Reported(capture) > 0 && Telemetry(capture, address) is { Verified: > 0 } || first.HasExited, TimeSpan.FromSeconds(60), "a reported twin and a verified telemetry checkpoint from the AOT gateway");
            Assert.False(first.HasExited, first.Stderr + first.Stdout);
            var report = Telemetry(capture, address)!;
            Assert.True(report.Sound, string.Join("; ", report.Problems));
            Assert.Equal(address, report.Key);

            var statusBody = status.Read()!.Value;
            Assert.Equal("sim-gw", statusBody.GetProperty("gw").GetString());
            Assert.True(statusBody.GetProperty("lanes").GetProperty("telemetry").GetProperty("chained").GetProperty("samples").GetInt64() > 0);

            using var stranger = new HttpClient { BaseAddress = new Uri(baseUrl) };
            using var refused = await stranger.GetAsync("/twin");
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.StartsWith("missing-token", JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);

            using var admin = BoxAdmin.Client(baseUrl, data);
            using var admitted = await admin.PostAsync("/twin/bindings", new StringContent("""{"action":"admit","patient":"MRN-AOT","bed":"bed-1","devices":["sim-bed-1"]}"""));
            var answer = JsonDocument.Parse(await admitted.Content.ReadAsStringAsync()).RootElement;
            Assert.True(admitted.IsSuccessStatusCode, answer.ToString());
            Assert.True(answer.GetProperty("ok").GetBoolean());
            patient = answer.GetProperty("patient").GetString()!;
            Assert.StartsWith("pt-", patient, StringComparison.Ordinal);

            first.Terminate();
            Assert.True(first.WaitForExit(TimeSpan.FromSeconds(40)), "stopped on SIGTERM");
            Assert.True(first.ExitCode == 0, $"exit {first.ExitCode}: {first.Stderr}{first.Stdout}");
            logs.Append(first.Stdout).Append(first.Stderr);
        }

        // The second start reads the twin store the first wrote: the admission is still there.
        using (var second = GatewayProcess.StartPublished(exe, _dir, args))
        {
            using var admin = BoxAdmin.Client(baseUrl, data);
            string? twin = null;
            await Wait.UntilAsync(
                async () => second.HasExited || (twin = await TwinAsync(admin)) is not null,
                TimeSpan.FromSeconds(60),
                () => "the restarted AOT gateway's twin");
            Assert.False(second.HasExited, second.Stderr + second.Stdout);
            var binding = JsonDocument.Parse(twin!).RootElement.GetProperty("state").GetProperty("patients").GetProperty(patient);
            Assert.Equal("bed-1", binding.GetProperty("bed").GetString());

            second.Terminate();
            Assert.True(second.WaitForExit(TimeSpan.FromSeconds(40)), "stopped on SIGTERM");
            Assert.True(second.ExitCode == 0, $"exit {second.ExitCode}: {second.Stderr}{second.Stdout}");
            logs.Append(second.Stdout).Append(second.Stderr);
        }

        var log = logs.ToString();
        Assert.Contains("Final commit done", log, StringComparison.Ordinal);
        foreach (var failure in AotFailures)
        {
            Assert.False(log.Contains(failure, StringComparison.Ordinal), $"the AOT gateway logged '{failure}':\n{log}");
        }
    }

    /// <summary>
    /// The AOT gateway under systemd's <c>MemoryDenyWriteExecute=yes</c>, as install.sh's drop-in sets it
    /// (the seccomp filter systemd 252 loads): it loads and runs the ONNX model, publishes telemetry that
    /// verifies against its key, gives back its start-up pages, and stops cleanly; nothing in its log says
    /// a mapping was refused. (The JIT build cannot start under it: <c>UnitSecurityTests</c>.)
    /// </summary>
    [Fact]
    public async Task Published_UnderMemoryDenyWriteExecute_LoadsTheModel_PublishesVerifiedRecords_StopsCleanly()
    {
        var exe = await PublishAsync();
        var brokerPort = Mosquitto.FreePort();
        using var status = new GatewayStatus(Mosquitto.FreePort());
        string[] args = [$"--Uplink:EmbeddedPort={brokerPort}", status.Url, "--Gateway:ReleaseStartupPagesAfter=00:00:02", "--Logging:LogLevel:EdgeTwin.Gateway.Hosting.StartupPageRelease=Information"];
        var data = Path.Combine(_dir, "data");

        using var gateway = GatewayProcess.StartWithMemoryDenyWriteExecute(exe, _dir, args);
        await Wait.UntilAsync(() => status.Read() is { } s && s.GetProperty("connected").GetBoolean() || gateway.HasExited, TimeSpan.FromSeconds(60), "the AOT gateway's uplink connected under MemoryDenyWriteExecute");
        Assert.False(gateway.HasExited, gateway.Stderr + gateway.Stdout);
        Assert.Equal("loaded", status.Read()!.Value.GetProperty("model").GetProperty("status").GetString());
        await using var capture = await Capture.StartAsync(brokerPort);
        var address = Verification.GatewayAddress(data);
        await Wait.UntilAsync(() => Telemetry(capture, address) is { Verified: > 0 } && gateway.Stdout.Contains("Start-up pages released:", StringComparison.Ordinal) || gateway.HasExited,
            TimeSpan.FromSeconds(60), "a verified telemetry checkpoint and the start-up pages released");
        Assert.False(gateway.HasExited, gateway.Stderr + gateway.Stdout);
        var report = Telemetry(capture, address)!;
        Assert.True(report.Sound, string.Join("; ", report.Problems));

        gateway.Terminate();
        Assert.True(gateway.WaitForExit(TimeSpan.FromSeconds(40)), "stopped on SIGTERM");
        Assert.True(gateway.ExitCode == 0, $"exit {gateway.ExitCode}: {gateway.Stderr}{gateway.Stdout}");
        var log = gateway.Stdout + gateway.Stderr;
        Assert.Contains("Final commit done", log, StringComparison.Ordinal);
        foreach (var failure in AotFailures.Append("Start-up pages not released"))
        {
            Assert.False(log.Contains(failure, StringComparison.Ordinal), $"the AOT gateway logged '{failure}':\n{log}");
        }
    }

    /// <summary>
    /// BLE under NativeAOT: the published gateway reads a heart-rate strap (<c>ble-gatt</c>) and pairs a cuff
    /// through the <c>/ble</c> routes, BlueZ being the fake bluetoothd (the reflection-based Tmds.DBus, in this
    /// test process) on a private dbus-daemon, which calls the AOT gateway's exported agent back over the bus.
    /// </summary>
    [Fact]
    public async Task Published_ReadsABleStrapAndPairsACuffThroughBluez_WithoutAotFailures()
    {
        const string strap = "A4:C1:38:00:00:01";
        const string cuffAddress = "A0:9E:1A:12:34:56";
        var exe = await PublishAsync();
        var bus = new PrivateDBus();
        await bus.InitializeAsync();
        try
        {
            await using var bluez = await FakeBluezService.StartAsync(bus.Address, strap, "00002a37-0000-1000-8000-00805f9b34fb");
            var cuff = bluez.AddInRange(cuffAddress, "BP7000", -52, "00001810-0000-1000-8000-00805f9b34fb");
            cuff.Pairing = FakePairingMethod.Passkey;
            cuff.Passkey = 246810;
            using var status = new GatewayStatus(Mosquitto.FreePort());
            string[] args =
            [
                $"--Uplink:EmbeddedPort={Mosquitto.FreePort()}", status.Url, "--Simulation:Beds=0", $"--Pairing:Bus={bus.Address}",
                "--Devices:0:Type=ble-gatt", "--Devices:0:Id=strap", $"--Devices:0:Address={strap}", "--Devices:0:Profile=heart-rate", $"--Devices:0:Bus={bus.Address}",
            ];
            var baseUrl = status.Url["--Status:Url=".Length..];
            using var gateway = GatewayProcess.StartPublished(exe, _dir, args);

            // The strap's driver connects it and starts notifications; its one heart rate is chained (no simulated beds).
            await Wait.UntilAsync(() => bluez.Characteristic.StartNotifyCalls > 0 || gateway.HasExited, TimeSpan.FromSeconds(60), "StartNotify from the AOT gateway's ble-gatt driver");
            Assert.False(gateway.HasExited, gateway.Stderr + gateway.Stdout);
            Assert.Equal(1, bluez.Device.ConnectCalls);
            bluez.Characteristic.Notify(0x06, 64);
            await Wait.UntilAsync(() => Chained(status) >= 1 || gateway.HasExited, TimeSpan.FromSeconds(60), "the strap's sample chained by the AOT gateway");
            Assert.Equal(1, Chained(status));

            using var admin = BoxAdmin.Client(baseUrl, Path.Combine(_dir, "data"));
            using var scanned = await admin.PostAsync("/ble/scan", new StringContent("""{"seconds":1}"""));
            var scan = JsonDocument.Parse(await scanned.Content.ReadAsStringAsync()).RootElement;
            Assert.True(scanned.IsSuccessStatusCode, scan.ToString());
            var found = scan.GetProperty("devices").EnumerateArray().Single(d => d.GetProperty("address").GetString() == cuffAddress);
            Assert.Equal(("BP7000", -52), (found.GetProperty("name").GetString(), found.GetProperty("rssi").GetInt32()));

            using var paired = await admin.PostAsync("/ble/pair", new StringContent($$"""{"address":"{{cuffAddress}}","passkey":"246810"}"""));
            var pair = JsonDocument.Parse(await paired.Content.ReadAsStringAsync()).RootElement;
            Assert.True(paired.IsSuccessStatusCode, pair.ToString());
            Assert.True(pair.GetProperty("paired").GetBoolean() && pair.GetProperty("trusted").GetBoolean());
            Assert.Equal((true, true), (cuff.Get("Paired"), cuff.Get("Trusted")));
            Assert.Equal(["RegisterAgent KeyboardOnly", "RequestDefaultAgent", $"RequestPasskey {cuff.ObjectPath}", "UnregisterAgent"], bluez.Agents.Calls);

            gateway.Terminate();
            Assert.True(gateway.WaitForExit(TimeSpan.FromSeconds(40)), "stopped on SIGTERM");
            Assert.True(gateway.ExitCode == 0, $"exit {gateway.ExitCode}: {gateway.Stderr}{gateway.Stdout}");
            var log = gateway.Stdout + gateway.Stderr;
            Assert.Contains("Device strap notifying from", log, StringComparison.Ordinal);
            foreach (var failure in AotFailures)
            {
                Assert.False(log.Contains(failure, StringComparison.Ordinal), $"the AOT gateway logged '{failure}':\n{log}");
            }
        }
        finally
        {
            await bus.DisposeAsync();
        }
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Samples in the telemetry chain (0 before any, -1 while the gateway does not answer).</summary>
    private static long Chained(GatewayStatus status) =>
        status.Read() is not { } s ? -1
        : s.GetProperty("lanes").GetProperty("telemetry").TryGetProperty("chained", out var c) && c.ValueKind == JsonValueKind.Object ? c.GetProperty("samples").GetInt64() : 0;

    /// <summary>
    /// The NativeAOT gateway scripts/test.sh published for this checkout (<c>EDGETWIN_AOT_GATEWAY</c>), or
    /// published here to artifacts/linux-x64-aot; warnings from our code fail the publish.
    /// </summary>
    private static async Task<string> PublishAsync()
    {
        if (Environment.GetEnvironmentVariable("EDGETWIN_AOT_GATEWAY") is { Length: > 0 } published)
        {
            Assert.True(File.Exists(published), $"EDGETWIN_AOT_GATEWAY names {published}, which does not exist");
            return published;
        }

        var output = Path.Combine(Repository.Root, "artifacts", "linux-x64-aot");
        await ProcessRunner.RunAsync(
            "dotnet",
            ["publish", Path.Combine(Repository.Root, "src", "Gateway", "EdgeTwin.Gateway.csproj"), "-c", "Release", "-r", "linux-x64", "-p:PublishAot=true", "-o", output, "-nologo", "-v", "quiet"],
            TimeSpan.FromMinutes(15));
        var exe = Path.Combine(output, "EdgeTwin.Gateway");
        Assert.True(File.Exists(exe), $"no {exe} after the publish");
        Assert.False(File.Exists(Path.Combine(output, "EdgeTwin.Gateway.dll")), "the publish is a native executable, not an IL assembly");
        return exe;
    }

    private static int Reported(Capture capture) => capture.Messages.Count(m => m.Topic.EndsWith("/twin/reported", StringComparison.Ordinal));

    /// <summary>The telemetry chain as a cloud joining in the middle verifies it (null before any telemetry arrived).</summary>
    internal static ChainReport? Telemetry(Capture capture, string address)
    {
        var verifier = new StreamVerifier(new VerifierOptions { EnrolledAddresses = [address], FromMiddle = true });
        foreach (var payload in capture.Records("telemetry"))
        {
            verifier.Add(payload);
        }

        return verifier.Report().FirstOrDefault(r => r.Chain.Lane == EdgeTwin.Telemetry.Records.Lane.Telemetry);
    }

    private static async Task<string?> TwinAsync(HttpClient admin)
    {
        try
        {
            using var response = await admin.GetAsync("/twin");
            return response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync() : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }
}
