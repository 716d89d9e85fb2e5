namespace EdgeTwin.Drivers.Tests.Ble.FakeBluez;

using System.Diagnostics;

/// <summary>
/// A private dbus-daemon in a temp directory, so BLE tests run against a real message bus without a
/// radio or the system bus. Missing dbus-daemon fails the tests with a message, it does not skip them.
/// </summary>
public sealed class PrivateDBus : IAsyncLifetime
{
    private Process? _daemon;
    private DirectoryInfo? _directory;

    public string Address { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var daemon = new[] { "/usr/bin/dbus-daemon", "/bin/dbus-daemon", "/usr/local/bin/dbus-daemon" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("dbus-daemon is not installed: the BLE tests need it (Debian package dbus-daemon; scripts/test.sh installs it).");
        _directory = Directory.CreateTempSubdirectory("edgetwin-dbus-");
        var config = Path.Combine(_directory.FullName, "bus.conf");
        await File.WriteAllTextAsync(config, $"""
            <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
             "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
            <busconfig>
              <type>session</type>
              <listen>unix:path={_directory.FullName}/bus</listen>
              <auth>EXTERNAL</auth>
              <policy context="default">
                <allow send_destination="*" eavesdrop="true"/>
                <allow eavesdrop="true"/>
                <allow own="*"/>
              </policy>
            </busconfig>
            """);
        var start = new ProcessStartInfo(daemon, ["--config-file=" + config, "--nofork", "--print-address=1"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _daemon = Process.Start(start) ?? throw new InvalidOperationException("dbus-daemon did not start.");
        var line = await _daemon.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10));
        if (string.IsNullOrWhiteSpace(line))
        {
            throw new InvalidOperationException($"dbus-daemon printed no address: {await _daemon.StandardError.ReadToEndAsync()}");
        }

        Address = line.Trim();
    }

    public async Task DisposeAsync()
    {
        if (_daemon is { HasExited: false })
        {
            _daemon.Kill();
            await _daemon.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        _daemon?.Dispose();
        _directory?.Delete(recursive: true);
    }
}
