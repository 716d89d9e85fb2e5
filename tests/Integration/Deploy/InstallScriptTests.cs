namespace EdgeTwin.Integration.Tests.Deploy;

using System.Diagnostics;
using System.Runtime.InteropServices;
using EdgeTwin.Integration.Tests.Support;

/// <summary>deploy/systemd/install.sh run for real with <c>--dry-run --root TEMP</c>: it says what it would do and changes nothing.</summary>
public sealed class InstallScriptTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("edgetwin-root-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void DryRun_FirstInstallWithAProfile_NamesEveryStep_AndChangesNothing()
    {
        var (exit, output, error) = Run("--dry-run", "--root", root, "--name", "ward7-bed12", "--site", "st-mary", "--profile", "hardware/profiles/bedside-box.json");

        Assert.True(exit == 0, error);
        Assert.Empty(Directory.EnumerateFileSystemEntries(root));
        // Published for this machine's platform, so ReadyToRun (the gateway's csproj).
        Assert.Contains($"would run: dotnet publish src/Gateway -c Release -r linux-{(RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "arm64" : "x64")} --self-contained false -o {root}/opt/edgetwin/gateway -nologo -v quiet", output, StringComparison.Ordinal);
        Assert.Contains($"would run: install -D -m 0644 deploy/systemd/edgetwin-gateway.service {root}/etc/systemd/system/edgetwin-gateway.service", output, StringComparison.Ordinal);
        Assert.Contains($"would run: install -m 0640 -o root -g edgetwin hardware/profiles/bedside-box.json {root}/etc/edgetwin/devices.json", output, StringComparison.Ordinal);
        Assert.Contains($"would write {root}/etc/edgetwin/gateway.env (mode 0640, group edgetwin):", output, StringComparison.Ordinal);
        Assert.Contains("    Gateway__Name=ward7-bed12\n    Gateway__Site=st-mary\n    Gateway__SettingsFile=/etc/edgetwin/devices.json\n", output, StringComparison.Ordinal);
        Assert.DoesNotContain("\n    Simulation__Beds", output, StringComparison.Ordinal);
        Assert.Contains("would run: systemctl restart edgetwin-gateway.service", output, StringComparison.Ordinal);
        Assert.Contains($"would run: dotnet publish src/Cli -c Release -o {root}/opt/edgetwin/cli -nologo -v quiet", output, StringComparison.Ordinal);
        Assert.Contains($"would run: install -D -m 0755 deploy/systemd/edgetwin {root}/usr/local/bin/edgetwin", output, StringComparison.Ordinal);
        Assert.EndsWith("dry run: nothing was changed\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public void DryRun_FromADirectory_InstallsTheEdgetwinCommandFromItsCliFolder_OrSaysWhyNot()
    {
        var published = Directory.CreateTempSubdirectory("edgetwin-published-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(published, "EdgeTwin.Gateway.dll"), string.Empty);
            var (exit, output, error) = Run("--dry-run", "--root", root, "--name", "ward7-bed12", "--from", published);
            Assert.True(exit == 0, error);
            Assert.Contains($"install.sh: '{published}/cli' holds no edgetwin.dll: the edgetwin command is not installed (dotnet publish src/Cli -c Release -o {published}/cli)", error, StringComparison.Ordinal);
            Assert.DoesNotContain("/usr/local/bin/edgetwin", output, StringComparison.Ordinal);

            Directory.CreateDirectory(Path.Combine(published, "cli"));
            File.WriteAllText(Path.Combine(published, "cli", "edgetwin.dll"), string.Empty);
            (exit, output, error) = Run("--dry-run", "--root", root, "--name", "ward7-bed12", "--from", published);
            Assert.True(exit == 0, error);
            Assert.Contains($"would run: cp -r {published}/cli/. {root}/opt/edgetwin/cli/", output, StringComparison.Ordinal);
            Assert.Contains($"would run: install -D -m 0755 deploy/systemd/edgetwin {root}/usr/local/bin/edgetwin", output, StringComparison.Ordinal);
            Assert.DoesNotContain("dotnet publish", output, StringComparison.Ordinal);
            Assert.Empty(Directory.EnumerateFileSystemEntries(root));
        }
        finally
        {
            Directory.Delete(published, recursive: true);
        }
    }

    [Fact]
    public void DryRun_Uninstall_RemovesTheEdgetwinCommand_OnlyWhenTheOtherServiceIsNotInstalled()
    {
        var (exit, output, error) = Run("--uninstall", "--dry-run", "--root", root);
        Assert.True(exit == 0, error);
        Assert.Contains($"would run: rm -rf {root}/opt/edgetwin/cli {root}/usr/local/bin/edgetwin", output, StringComparison.Ordinal);

        Directory.CreateDirectory(Path.Combine(root, "opt", "edgetwin", "ingest"));
        (exit, output, error) = Run("--uninstall", "--dry-run", "--root", root);
        Assert.True(exit == 0, error);
        Assert.DoesNotContain("/opt/edgetwin/cli", output, StringComparison.Ordinal);
    }

    [Fact]
    public void DryRun_WithoutProfileOrSimulated_InstallsNoSimulatedBeds_AndFromADirectoryCopiesInsteadOfBuilding()
    {
        var published = Path.GetDirectoryName(GatewayProcess.GatewayDll)!;

        var (exit, output, error) = Run("--dry-run", "--root", root, "--name", "ward7-bed12", "--from", published);

        Assert.True(exit == 0, error);
        Assert.Empty(Directory.EnumerateFileSystemEntries(root));
        Assert.Contains($"would run: cp -r {published}/. {root}/opt/edgetwin/gateway/", output, StringComparison.Ordinal);
        Assert.DoesNotContain("dotnet publish", output, StringComparison.Ordinal);
        Assert.Contains("    Gateway__Name=ward7-bed12\n", output, StringComparison.Ordinal);
        Assert.Contains("\n    Simulation__Beds=0\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public void DryRun_Ingest_InstallsItsOwnUnitUserAndSettingsFile_FromAPublishedDirectory_AndChangesNothing()
    {
        var published = Path.GetDirectoryName(GatewayProcess.IngestDll)!;

        var (exit, output, error) = Run("--ingest", "--dry-run", "--root", root, "--from", published);

        Assert.True(exit == 0, error);
        Assert.Empty(Directory.EnumerateFileSystemEntries(root));
        Assert.Contains($"would run: cp -r {published}/. {root}/opt/edgetwin/ingest/", output, StringComparison.Ordinal);
        Assert.Contains($"would run: install -D -m 0644 deploy/systemd/edgetwin-ingest.service {root}/etc/systemd/system/edgetwin-ingest.service", output, StringComparison.Ordinal);
        Assert.Contains($"would write {root}/etc/edgetwin-ingest/ingest.env (mode 0640, group edgetwin-ingest):", output, StringComparison.Ordinal);
        Assert.Contains("    # Ingest__Broker=mqtts://", output, StringComparison.Ordinal);
        Assert.Contains("would run: systemctl restart edgetwin-ingest.service", output, StringComparison.Ordinal);
        Assert.DoesNotContain("edgetwin-gateway", output, StringComparison.Ordinal);
        Assert.DoesNotContain("dotnet publish", output, StringComparison.Ordinal);
    }

    [Fact]
    public void DryRun_IngestUninstall_KeepsItsStateAndSettings()
    {
        var (exit, output, error) = Run("--ingest", "--uninstall", "--dry-run", "--root", root);

        Assert.True(exit == 0, error);
        Assert.Contains("would run: systemctl disable --now edgetwin-ingest.service", output, StringComparison.Ordinal);
        Assert.Contains($"would run: rm -rf {root}/opt/edgetwin/ingest", output, StringComparison.Ordinal);
        Assert.Contains($"kept: {root}/var/lib/edgetwin-ingest (ingest.key", output, StringComparison.Ordinal);
    }

    [Fact]
    public void DryRun_FromANativeAotPublishWithItsSymbols_CopiesEverythingButTheDbgFile_AndSaysSo()
    {
        var published = Directory.CreateTempSubdirectory("edgetwin-aot-").FullName;
        try
        {
            var exe = Path.Combine(published, "EdgeTwin.Gateway");
            File.WriteAllBytes(exe, ElfHeader(ThisMachine));
            File.SetUnixFileMode(exe, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            File.WriteAllText(Path.Combine(published, "EdgeTwin.Gateway.dbg"), "symbols");
            File.WriteAllText(Path.Combine(published, "appsettings.json"), "{}");
            File.WriteAllText(Path.Combine(published, "libonnxruntime.so"), "lib");
            var (exit, output, error) = Run("--dry-run", "--root", root, "--name", "ward7-bed12", "--from", published);

            Assert.True(exit == 0, error);
            Assert.Empty(Directory.EnumerateFileSystemEntries(root));
            var copy = Assert.Single(output.Split('\n'), l => l.StartsWith("would run: cp -r ", StringComparison.Ordinal) && l.EndsWith($" {root}/opt/edgetwin/gateway/", StringComparison.Ordinal));
            var copied = copy["would run: cp -r ".Length..^$" {root}/opt/edgetwin/gateway/".Length].Split(' ').Order(StringComparer.Ordinal);
            Assert.Equal([$"{published}/EdgeTwin.Gateway", $"{published}/appsettings.json", $"{published}/libonnxruntime.so"], copied);
            Assert.Contains("install.sh: not copied: EdgeTwin.Gateway.dbg (debug symbols of the NativeAOT build", error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(published, recursive: true);
        }
    }

    [Fact]
    public void DryRun_FromANativeAotPublish_InstallsTheExecutable_WithADropInOfItsMemoryLimits_AndChangesNothing()
    {
        // A NativeAOT publish: the executable (an ELF header for this machine is enough for a dry run), no EdgeTwin.Gateway.dll.
        var published = Directory.CreateTempSubdirectory("edgetwin-aot-").FullName;
        try
        {
            var exe = Path.Combine(published, "EdgeTwin.Gateway");
            File.WriteAllBytes(exe, ElfHeader(ThisMachine));
            File.SetUnixFileMode(exe, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var (exit, output, error) = Run("--dry-run", "--root", root, "--name", "ward7-bed12", "--from", published);

            Assert.True(exit == 0, error);
            Assert.Empty(Directory.EnumerateFileSystemEntries(root));
            Assert.Contains($"would run: cp -r {published}/. {root}/opt/edgetwin/gateway/", output, StringComparison.Ordinal);
            // The drop-in's settings, exactly (its comment lines aside).
            var written = output.Split('\n')
                .SkipWhile(l => l != $"would write {root}/etc/systemd/system/edgetwin-gateway.service.d/aot.conf (mode 0644, group edgetwin):").Skip(1)
                .TakeWhile(l => l.StartsWith("    ", StringComparison.Ordinal)).Select(l => l.Trim()).Where(l => !l.StartsWith('#'));
            Assert.Equal(["[Service]", "ExecStart=", "ExecStart=/opt/edgetwin/gateway/EdgeTwin.Gateway", "Environment=DOTNET_GCRegionSize=100000", "MemoryHigh=80M", "MemoryMax=96M", "MemoryDenyWriteExecute=yes"], written);
            Assert.DoesNotContain("dotnet publish src/Gateway", output, StringComparison.Ordinal);

            // Not executable: one clear line, nothing done.
            File.SetUnixFileMode(exe, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            (exit, output, error) = Run("--dry-run", "--root", root, "--name", "ward7-bed12", "--from", published);
            Assert.NotEqual(0, exit);
            Assert.Contains($"--from '{published}': EdgeTwin.Gateway is not executable", error, StringComparison.Ordinal);
            Assert.DoesNotContain("would", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(published, recursive: true);
        }
    }

    /// <summary>
    /// An arm64 cross-publish (scripts/publish-pi-aot.sh) installed on the x64 machine that made it (or an x64 one
    /// on a Pi) would fail at every start with 203/EXEC: refused in one line naming both, as is a file that is no ELF executable.
    /// </summary>
    [Fact]
    public void DryRun_FromANativeAotPublishForAnotherArchitecture_IsOneClearLine_AndChangesNothing()
    {
        var published = Directory.CreateTempSubdirectory("edgetwin-aot-").FullName;
        try
        {
            var exe = Path.Combine(published, "EdgeTwin.Gateway");
            var (other, otherRid, thisRid, thisName) = ThisMachine == X86_64 ? (Aarch64, "linux-arm64", "linux-x64", "x86_64") : (X86_64, "linux-x64", "linux-arm64", "aarch64");
            File.WriteAllBytes(exe, ElfHeader(other));
            File.SetUnixFileMode(exe, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var (exit, output, error) = Run("--dry-run", "--root", root, "--name", "ward7-bed12", "--from", published);

            Assert.NotEqual(0, exit);
            Assert.Equal(
                $"install.sh: --from '{published}': EdgeTwin.Gateway is built for {otherRid}, this machine is {thisName}: publish with -r {thisRid}, or install it on a {otherRid} machine",
                error.TrimEnd());
            Assert.DoesNotContain("would", output, StringComparison.Ordinal);
            Assert.Empty(Directory.EnumerateFileSystemEntries(root));

            File.WriteAllText(exe, "#!/bin/sh\n");
            (exit, output, error) = Run("--dry-run", "--root", root, "--name", "ward7-bed12", "--from", published);
            Assert.NotEqual(0, exit);
            Assert.Contains($"--from '{published}': EdgeTwin.Gateway is not an ELF executable", error, StringComparison.Ordinal);
            Assert.DoesNotContain("would", output, StringComparison.Ordinal);
            Assert.Empty(Directory.EnumerateFileSystemEntries(root));
        }
        finally
        {
            Directory.Delete(published, recursive: true);
        }
    }

    [Fact]
    public void DryRun_AJitInstallOverANativeAotOne_RemovesTheAotDropIn_ItsLimitsWouldStarveTheJitBuild()
    {
        var published = Directory.CreateTempSubdirectory("edgetwin-published-").FullName;
        var dropIn = Path.Combine(root, "etc", "systemd", "system", "edgetwin-gateway.service.d", "aot.conf");
        Directory.CreateDirectory(Path.GetDirectoryName(dropIn)!);
        File.WriteAllText(dropIn, "[Service]\nMemoryMax=96M\n");
        try
        {
            File.WriteAllText(Path.Combine(published, "EdgeTwin.Gateway.dll"), string.Empty);
            var (exit, output, error) = Run("--dry-run", "--root", root, "--name", "ward7-bed12", "--from", published);

            Assert.True(exit == 0, error);
            Assert.Contains($"would run: rm -f {dropIn}", output, StringComparison.Ordinal);
            Assert.DoesNotContain("would write " + dropIn, output, StringComparison.Ordinal);
            Assert.True(File.Exists(dropIn), "a dry run changes nothing");

            // And an uninstall takes it away with the unit.
            (exit, output, error) = Run("--uninstall", "--dry-run", "--root", root);
            Assert.True(exit == 0, error);
            Assert.Contains($"would run: rm -f {dropIn}", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(published, recursive: true);
        }
    }

    [Fact]
    public void DryRun_Uninstall_NamesWhatItRemovesAndKeeps_AndChangesNothing()
    {
        var (exit, output, error) = Run("--uninstall", "--dry-run", "--root", root);

        Assert.True(exit == 0, error);
        Assert.Empty(Directory.EnumerateFileSystemEntries(root));
        Assert.Contains("would run: systemctl disable --now edgetwin-gateway.service", output, StringComparison.Ordinal);
        Assert.Contains($"would run: rm -rf {root}/opt/edgetwin/gateway", output, StringComparison.Ordinal);
        Assert.Contains($"kept: {root}/var/lib/edgetwin", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--name NAME is required on a first install")]
    [InlineData("--name 'Ward 7' must match [a-z0-9-]{1,64}", "--name", "Ward 7")]
    [InlineData("--profile '/nonexistent.json' is not a file", "--name", "gw", "--profile", "/nonexistent.json")]
    [InlineData("holds no EdgeTwin.Gateway.dll", "--name", "gw", "--from", "/tmp")]
    [InlineData("--profile and --simulated exclude each other", "--name", "gw", "--simulated", "--profile", "hardware/profiles/bedside-box.json")]
    [InlineData("unknown option '--bogus'", "--bogus")]
    [InlineData("--name, --site, --profile and --simulated are the gateway's", "--ingest", "--name", "gw")]
    [InlineData("holds no EdgeTwin.Ingest.dll", "--ingest", "--from", "/tmp")]
    public void DryRun_BadArguments_AreOneClearLine_AndChangeNothing(string message, params string[] args)
    {
        var (exit, output, error) = Run(["--dry-run", "--root", root, .. args]);

        Assert.NotEqual(0, exit);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.DoesNotContain("would", output, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(root));
    }

    /// <summary>ELF <c>e_machine</c> values (the System V ABI's table).</summary>
    private const ushort X86_64 = 62;
    private const ushort Aarch64 = 183;

    private static ushort ThisMachine => RuntimeInformation.OSArchitecture == Architecture.X64 ? X86_64 : Aarch64;

    /// <summary>The first 20 bytes of a 64-bit little-endian ELF executable for <paramref name="machine"/>: as far as install.sh reads.</summary>
    private static byte[] ElfHeader(ushort machine)
    {
        var header = new byte[20];
        "\u007fELF"u8.CopyTo(header);
        header[4] = 2; // ELFCLASS64
        header[5] = 1; // little-endian
        header[6] = 1; // EV_CURRENT
        header[16] = 2; // ET_EXEC
        BitConverter.TryWriteBytes(header.AsSpan(18), machine);
        return header;
    }

    private static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Repository.Root };
        start.ArgumentList.Add(Path.Combine(Repository.Root, "deploy", "systemd", "install.sh"));
        args.ToList().ForEach(start.ArgumentList.Add);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), "install.sh must end");
        return (process.ExitCode, output.Result, error);
    }
}
