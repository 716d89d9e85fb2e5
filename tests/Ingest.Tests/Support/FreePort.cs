namespace EdgeTwin.Ingest.Tests.Support;

using System.Net;
using System.Net.Sockets;

internal static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
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
