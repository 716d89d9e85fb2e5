namespace EdgeTwin.Integration.Tests.Deploy;

using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using EdgeTwin.Integration.Tests.Support;
using Xunit.Abstractions;

/// <summary>
/// The shipped unit files as systemd rates them: <c>systemd-analyze security --offline=true</c> on
/// each file (no systemd running needed) must give an overall exposure of 2.5 or lower (issue 14;
/// the first gateway unit rated 8.5). The figures go to the test output. And the units' system-call
/// filters, applied through libseccomp, do not stop the real gateway or ingest.
/// </summary>
public sealed partial class UnitSecurityTests(ITestOutputHelper output)
{
    private const double Ceiling = 2.5;

    [Theory]
    [InlineData("edgetwin-gateway.service")]
    [InlineData("edgetwin-ingest.service")]
    public void UnitFile_ExposureIs2Point5OrLower(string unit)
    {
        var (exit, text, error) = Analyze(Path.Combine(Repository.Root, "deploy", "systemd", unit));

        Assert.True(exit == 0, $"systemd-analyze exit {exit}: {error}");
        var match = Overall().Match(text);
        Assert.True(match.Success, "no overall exposure line in:\n" + text);
        var exposure = double.Parse(match.Groups["score"].Value, CultureInfo.InvariantCulture);
        output.WriteLine($"{unit}: overall exposure {exposure.ToString("0.0", CultureInfo.InvariantCulture)} (ceiling {Ceiling.ToString("0.0", CultureInfo.InvariantCulture)})");
        foreach (var line in text.Split('\n').Where(l => l.StartsWith('✗')))
        {
            output.WriteLine("  " + Regex.Replace(line, @"\s{2,}", "  ").Trim());
        }

        Assert.True(exposure <= Ceiling, $"{unit} rates {exposure}, above {Ceiling}:\n{text}");
        Assert.DoesNotContain("Unknown key", error, StringComparison.Ordinal);
    }

    /// <summary>
    /// The unit's system-call filter, loaded through libseccomp as systemd would (its groups expanded by
    /// <c>systemd-analyze syscall-filter</c>, the lines applied in order, EPERM for the rest), around the
    /// real gateway: it starts, commits records, answers <c>/status</c> and stops cleanly on SIGTERM. Each
    /// call the filter refuses would fail with EPERM, so a missing one shows as a failed start or stop.
    /// </summary>
    [Fact]
    public async Task Gateway_UnderItsUnitsSystemCallFilter_StartsCommitsServesAndStopsCleanly()
    {
        using var mosquitto = new Mosquitto();
        var (dir, allowed, status) = Prepare("edgetwin-gateway.service");
        using var gateway = GatewayProcess.StartWithSystemCallFilter(GatewayProcess.GatewayDll, allowed, dir,
            InProcessGateway.Args(Path.Combine(dir, "data"), mosquitto.Port, $"--Status:Url=http://127.0.0.1:{status}", "--Gateway:Clock="));
        using var box = new GatewayStatus(status);

        await WorksThenStopsCleanly(gateway, () => Task.FromResult(box.Head("telemetry") >= 20), "20 committed records under the filter");
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public async Task Ingest_UnderItsUnitsSystemCallFilter_StartsServesAndStopsCleanly()
    {
        using var mosquitto = new Mosquitto();
        var (dir, allowed, port) = Prepare("edgetwin-ingest.service");
        using var ingest = GatewayProcess.StartWithSystemCallFilter(GatewayProcess.IngestDll, allowed, dir,
            [$"--urls=http://127.0.0.1:{port}", $"--Ingest:Broker={mosquitto.Url}", $"--Ingest:Storage=litedb:{Path.Combine(dir, "store")}"]);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };

        await WorksThenStopsCleanly(ingest, () => Healthy(http), "the ingest's /healthz under the filter");
        Directory.Delete(dir, recursive: true);
    }

    /// <summary>
    /// Why the shipped unit does not set <c>MemoryDenyWriteExecute=yes</c> and only the NativeAOT drop-in does
    /// (install.sh; the AOT gateway under it: <c>NativeAotGatewayTests</c>): the JIT build, under the filter
    /// systemd loads for it, cannot even start (the runtime needs memory it writes code into and then runs).
    /// This also shows the filter the AOT test runs under is in force.
    /// </summary>
    [Fact]
    public void JitGateway_UnderMemoryDenyWriteExecute_CannotStart()
    {
        using var mosquitto = new Mosquitto();
        var dir = Directory.CreateTempSubdirectory("edgetwin-it-mdwe-").FullName;
        using var gateway = GatewayProcess.StartWithMemoryDenyWriteExecute(GatewayProcess.GatewayDll, dir, InProcessGateway.Args(Path.Combine(dir, "data"), mosquitto.Port));

        Assert.True(gateway.WaitForExit(TimeSpan.FromSeconds(60)), "the JIT gateway ran under MemoryDenyWriteExecute");
        Assert.NotEqual(0, gateway.ExitCode);
        Assert.False(File.Exists(Path.Combine(dir, "data", "outbox.db")), "it got as far as opening its outbox");
        Directory.Delete(dir, recursive: true);
    }

    /// <summary>Waits for <paramref name="working"/> (the process must not end meanwhile), then SIGTERM: exit 0.</summary>
    private static async Task WorksThenStopsCleanly(GatewayProcess process, Func<Task<bool>> working, string what)
    {
        await Wait.UntilAsync(async () => process.HasExited || await working(), TimeSpan.FromSeconds(60), () => what);
        Assert.False(process.HasExited, process.Stderr + process.Stdout);
        process.Terminate();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(40)), "stopped on SIGTERM");
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {process.Stderr}{process.Stdout}");
    }

    private static async Task<bool> Healthy(HttpClient http)
    {
        try
        {
            return (await http.GetAsync("/healthz")).IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    /// <summary>A directory for the run, the unit's allowed calls in a file there, and a free port for the process's HTTP address.</summary>
    private (string Dir, string Allowed, int Port) Prepare(string unit)
    {
        var dir = Directory.CreateTempSubdirectory("edgetwin-it-seccomp-").FullName;
        return (dir, WriteAllowed(unit, dir), Mosquitto.FreePort());
    }

    /// <summary>The system calls the unit's <c>SystemCallFilter=</c> lines allow, one per line in a file under <paramref name="dir"/>.</summary>
    private string WriteAllowed(string unit, string dir)
    {
        HashSet<string>? allowed = null;
        foreach (var line in File.ReadLines(Path.Combine(Repository.Root, "deploy", "systemd", unit)).Where(l => l.StartsWith("SystemCallFilter=", StringComparison.Ordinal)))
        {
            var value = line["SystemCallFilter=".Length..].Trim();
            var names = value.TrimStart('~').Split(' ', StringSplitOptions.RemoveEmptyEntries).SelectMany(Expand).ToList();
            if (allowed is null)
            {
                Assert.False(value.StartsWith('~'), $"{unit}: the first SystemCallFilter= is an allow list");
                allowed = [.. names];
            }
            else if (value.StartsWith('~'))
            {
                allowed.ExceptWith(names);
            }
            else
            {
                allowed.UnionWith(names);
            }
        }

        Assert.NotNull(allowed);
        output.WriteLine($"{unit}: {allowed.Count} system calls allowed");
        var file = Path.Combine(dir, unit + ".syscalls");
        File.WriteAllLines(file, allowed.Order(StringComparer.Ordinal));
        return file;
    }

    private static IEnumerable<string> Expand(string name)
    {
        if (!name.StartsWith('@'))
        {
            return [name];
        }

        var (exit, text, error) = Run("syscall-filter", name);
        Assert.True(exit == 0, $"systemd-analyze syscall-filter {name}: {error}");
        return text.Split('\n').Skip(1).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).SelectMany(Expand);
    }

    private static (int Exit, string Out, string Err) Analyze(string file) => Run("security", "--offline=true", "--no-pager", file);

    private static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var start = new ProcessStartInfo("systemd-analyze") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Repository.Root };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("systemd-analyze (package systemd) is needed: scripts/test.sh installs it");
        var text = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), "systemd-analyze must end");
        return (process.ExitCode, text.Result, error);
    }

    [GeneratedRegex(@"Overall exposure level for [^:]+: (?<score>\d+\.\d+)")]
    private static partial Regex Overall();
}
