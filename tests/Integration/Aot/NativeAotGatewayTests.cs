namespace EdgeTwin.Integration.Tests.Aot;

using System.Net;
using System.Text;
using System.Text.Json;
using EdgeTwin.Ingest.Tests.Support;
using EdgeTwin.Integration.Tests.Support;
using EdgeTwin.Telemetry.Verification;

/// <summary>
/// The gateway published with NativeAOT (linux-x64; needs clang, lld and zlib1g-dev) runs on its
/// embedded defaults (simulated ward, embedded broker, <c>./data</c> of a fresh directory): its twin
/// store is written and read back after a restart, signed records verify, the status address's JSON
/// bodies are written, and nothing in its log says that reflection or runtime code generation was
/// missing. The test publishes to <c>artifacts/linux-x64-aot</c> (2-5 min: the AOT compiler runs again
/// whenever MSBuild has recompiled the libraries, which every publish with other properties does);
/// <c>scripts/test.sh</c> publishes there before the tests and names the executable in
/// <c>EDGETWIN_AOT_GATEWAY</c>, which this test then runs instead of publishing again. Filter: <c>Category=NativeAot</c>.
/// </summary>
[Trait("Category", "NativeAot")]
public sealed class NativeAotGatewayTests : IDisposable
{
    /// <summary>What a NativeAOT build logs or throws when the code needs metadata or code it does not have.</summary>
    private static readonly string[] AotFailures =
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

    public void Dispose() => Directory.Delete(_dir, recursive: true);

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
    private static ChainReport? Telemetry(Capture capture, string address)
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
