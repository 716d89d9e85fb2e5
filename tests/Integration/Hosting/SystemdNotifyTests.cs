namespace EdgeTwin.Integration.Tests.Hosting;

using System.Net.Sockets;
using System.Text;
using EdgeTwin.Integration.Tests.Support;

/// <summary>
/// The gateway under the systemd notify protocol, without systemd: the test binds the datagram
/// socket systemd would (NOTIFY_SOCKET), sets WATCHDOG_USEC as a unit with WatchdogSec= does, and
/// starts the gateway under a parent named systemd (<see cref="GatewayProcess.StartUnderSystemd"/>),
/// then reads what the real gateway process says: READY=1 once it runs, WATCHDOG=1 while records
/// keep being committed, STOPPING=1 on SIGTERM (deploy/systemd: Type=notify, WatchdogSec=30).
/// </summary>
public sealed class SystemdNotifyTests
{
    [Fact]
    public void UnderSystemd_SaysReady_PingsTheWatchdog_AndSaysStoppingOnSigterm()
    {
        var dir = Directory.CreateTempSubdirectory("edgetwin-it-").FullName;
        var socketPath = Path.Combine(dir, "notify.sock");
        using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notify.Bind(new UnixDomainSocketEndPoint(socketPath));
        notify.ReceiveTimeout = 1000;
        using var mosquitto = new Mosquitto();
        var env = new Dictionary<string, string> { ["NOTIFY_SOCKET"] = socketPath, ["WATCHDOG_USEC"] = "800000" };

        using var gateway = GatewayProcess.StartUnderSystemd(dir, InProcessGateway.Args(Path.Combine(dir, "data"), mosquitto.Port), env);
        var said = new List<string>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && said.Count(m => m.Contains("WATCHDOG=1", StringComparison.Ordinal)) < 3 && !gateway.HasExited)
        {
            said.AddRange(Receive(notify));
        }

        Assert.False(gateway.HasExited, gateway.Stderr);
        var ready = said.FindIndex(m => m.Contains("READY=1", StringComparison.Ordinal));
        Assert.True(ready >= 0, "READY=1 expected; got: " + string.Join(" | ", said));
        Assert.True(said.Skip(ready).Count(m => m.Contains("WATCHDOG=1", StringComparison.Ordinal)) >= 3, "watchdog pings expected after READY; got: " + string.Join(" | ", said));

        gateway.Terminate();
        var stopDeadline = DateTime.UtcNow.AddSeconds(45);
        while (DateTime.UtcNow < stopDeadline && !said.Any(m => m.Contains("STOPPING=1", StringComparison.Ordinal)))
        {
            said.AddRange(Receive(notify));
        }

        Assert.Contains(said, m => m.Contains("STOPPING=1", StringComparison.Ordinal));
        Assert.True(gateway.WaitForExit(TimeSpan.FromSeconds(45)), "graceful stop within TimeoutStopSec");
        Assert.Equal(0, gateway.ExitCode);
        Directory.Delete(dir, recursive: true);
    }

    private static IEnumerable<string> Receive(Socket socket)
    {
        var buffer = new byte[4096];
        try
        {
            var n = socket.Receive(buffer);
            return [Encoding.UTF8.GetString(buffer, 0, n)];
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.TimedOut)
        {
            return [];
        }
    }
}
