namespace EdgeTwin.Ingest.Tests.Integration;

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using EdgeTwin.Ingest.Tests.Support;

/// <summary>
/// The tests' free-port picker hands a port to one test only while its process lives: a broker
/// stopped and started again on its port must find it still free, whatever the tests running beside
/// it (in this process or another) start meanwhile.
/// </summary>
public sealed class FreePortTests
{
    [Fact]
    public void APortHandedOut_IsClaimedByThisProcess_AndNeverHandedOutAgain()
    {
        var handed = Enumerable.Range(0, 200).Select(_ => FreePort.Next()).ToList();

        Assert.Equal(handed.Count, handed.Distinct().Count());
        Assert.All(handed, port => Assert.True(FreePort.Claims.Holds(port), $"port {port} not claimed"));
        Assert.All(handed, port => Assert.False(FreePort.Claims.TryClaim(port), $"port {port} claimed twice"));
    }

    [Fact]
    public void APortHandedOut_IsNotHandedOutAgain_WhileNothingListensOnIt()
    {
        // The same place in the range twice: the first port is free again (nothing listens on it, as
        // while its broker is stopped), yet the second pick passes it by.
        var seed = Random.Shared.Next();
        var first = FreePort.Next(seed);
        var second = FreePort.Next(seed);

        Assert.NotEqual(first, second);
        using var restarted = new TcpListener(IPAddress.Loopback, first);
        restarted.Start();
    }

    [Fact]
    public void APortClaimedByAnotherProcess_IsNotClaimable_UntilThatProcessIsGone()
    {
        // Port 1 is never handed out (below 1,024): only this test claims it, through another process
        // first (flock(1), the same lock the claim takes, run without a child: the one process holds it)
        // and then itself.
        const int Port = 1;
        var path = FreePort.Claims.PathOf(Port);
        using var other = Process.Start(new ProcessStartInfo("flock", ["--exclusive", "--no-fork", path, "--command", "echo held; exec sleep 60"])
        {
            RedirectStandardOutput = true,
        })!;
        try
        {
            Assert.Equal("held", other.StandardOutput.ReadLine());
            Assert.False(FreePort.Claims.TryClaim(Port), "claimed while another process held the port");
            Assert.False(FreePort.Claims.Holds(Port));
        }
        finally
        {
            other.Kill(entireProcessTree: true);
            other.WaitForExit();
        }

        Assert.True(FreePort.Claims.TryClaim(Port), "not claimable once the holder was killed");
        Assert.True(FreePort.Claims.Holds(Port));
    }
}
