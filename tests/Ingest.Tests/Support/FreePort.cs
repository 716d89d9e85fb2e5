namespace EdgeTwin.Ingest.Tests.Support;

using System.Net;
using System.Net.Sockets;

internal static class FreePort
{
    /// <summary>
    /// A loopback port free when looked at, taken below the kernel's ephemeral range
    /// (<c>net.ipv4.ip_local_port_range</c>): a port the kernel hands out (port 0) is one it may hand the
    /// next outgoing connection too (any test's HTTP or MQTT client), which then holds it when the server
    /// binds ("address already in use": a gateway's status port in CI). Below the range only another
    /// listener can take it, and none of ours does: each port handed out is claimed for the test process
    /// (<see cref="Claims"/>) and never handed out again, by this process or by another test process
    /// running beside it, while it lives. A test that stops its broker or gateway and starts it again
    /// on the same port therefore finds the port still its own (CI: a mosquitto restarted after 25 s
    /// exited with "Address already in use", a parallel test's server having picked the port meanwhile).
    /// Falls back to the kernel's choice when no port there is free.
    /// </summary>
    public static int Next() => Next(Random.Shared.Next());

    /// <summary><see cref="Next()"/> from a given place in the range (<paramref name="seed"/> modulo its size) instead of a random one.</summary>
    internal static int Next(int seed)
    {
        var (low, high) = BelowEphemeral();
        var span = high - low + 1;
        var start = Math.Abs(seed % span);
        for (var i = 0; i < 64; i++)
        {
            var port = low + ((start + (i * 7919)) % span);
            if (!Claims.TryClaim(port))
            {
                continue;
            }

            try
            {
                using var probe = new TcpListener(IPAddress.Loopback, port);
                probe.Start();
                return port;
            }
            catch (SocketException)
            {
                // Held by something that is not a test of ours: left claimed, never tried again here.
            }
        }

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// Ports claimed by running test processes: a file per port in a directory they all share
    /// (<c>$TMPDIR/edgetwin-test-ports-USER/PORT</c>), held open with an exclusive lock (FileShare.None, a
    /// flock on Linux) for as long as the claiming process lives. Nobody else, in this process or
    /// another, can open it meanwhile; the kernel lets go of the lock when the process exits or is
    /// killed, so a dead process's ports are free again without any clean-up. The files stay, empty.
    /// </summary>
    internal static class Claims
    {
        // One folder per user: another user's folder (root's, from a CI run) is not writable here.
        private static readonly string Folder = Path.Combine(Path.GetTempPath(), $"edgetwin-test-ports-{Environment.UserName}");
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, FileStream> Held = new();

        /// <summary>Claims <paramref name="port"/> for this process: false when a test process (this one included) holds it.</summary>
        public static bool TryClaim(int port)
        {
            FileStream claim;
            try
            {
                claim = new FileStream(PathOf(port), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return false; // locked by a live test process (or not ours to open)
            }

            if (Held.TryAdd(port, claim))
            {
                return true;
            }

            claim.Dispose();
            return false;
        }

        /// <summary>The file whose lock is the claim on <paramref name="port"/> (its folder made if missing).</summary>
        public static string PathOf(int port)
        {
            Directory.CreateDirectory(Folder);
            return Path.Combine(Folder, port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        /// <summary>Whether this process holds <paramref name="port"/>.</summary>
        public static bool Holds(int port) => Held.ContainsKey(port);
    }

    /// <summary>Up to 12,000 ports just below the ephemeral range (20,768-32,767 with Linux's default 32,768-60,999).</summary>
    private static (int Low, int High) BelowEphemeral()
    {
        const string Range = "/proc/sys/net/ipv4/ip_local_port_range";
        var first = 32768;
        if (File.Exists(Range) && int.TryParse(File.ReadAllText(Range).Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries)[0], out var parsed))
        {
            first = parsed;
        }

        var high = Math.Max(1025, first - 1);
        return (Math.Max(1024, high - 11999), high);
    }

    /// <summary>
    /// Starts a server on a free port, and again on another when that one was taken meanwhile. A free port
    /// is only free when looked at: another test's server or an outgoing connection may take it before the
    /// server binds it; the server then exits at once ("Address already in use"), and a connection test
    /// alone would reach the other listener. Five ports at most; any other failure is thrown at once.
    /// </summary>
    /// <param name="what">the server's name, for the error</param>
    /// <param name="tryStart">starts the server on the port: null once it runs, else why it did not (its exit and log)</param>
    /// <param name="firstPort">the port tried first instead of a free one (tests of the retry)</param>
    /// <returns>the port the server runs on</returns>
    public static async Task<int> StartOnFreePortAsync(string what, Func<int, Task<string?>> tryStart, int? firstPort = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = attempt == 1 && firstPort is { } first ? first : Next();
            var failure = await tryStart(port).ConfigureAwait(false);
            if (failure is null)
            {
                return port;
            }

            if (attempt == 5 || !failure.Contains("Address already in use", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"{what} did not start on port {port}: {failure}");
            }
        }
    }

    /// <summary>Waits until something accepts TCP connections on the port, or fails after the timeout.</summary>
    public static async Task WaitListeningAsync(int port, TimeSpan timeout, Func<string> diagnostics)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, cts.Token);
                return;
            }
            catch (SocketException)
            {
                if (cts.IsCancellationRequested)
                {
                    throw new TimeoutException($"Nothing listens on port {port} after {timeout}: {diagnostics()}");
                }

                await Task.Delay(50, cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Nothing listens on port {port} after {timeout}: {diagnostics()}");
            }
        }
    }
}
