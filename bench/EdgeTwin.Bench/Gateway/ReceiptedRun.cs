namespace EdgeTwin.Bench.Gateway;

using System.Globalization;
using EdgeTwin.Integration.Tests.Support;

/// <summary>
/// <c>gateway-receipted</c> (issue 15): the built gateway (src/Gateway/bin/Release) as its own process
/// with N simulated beds, publishing to a real mosquitto with receipts on, and the built ingest (on
/// LiteDB) verifying and receipting what it publishes: the gateway's outbox deletes by receipt, as on
/// a ward, which <c>gateway-footprint</c> (no ingest) never does. Prints the gateway's process id at
/// the start, so its heap can be dumped while it runs (<c>dotnet-dump collect -p PID</c>), and at the
/// end the lane's head, the records the outbox still holds and the gateway's RSS.
/// </summary>
internal static class ReceiptedRun
{
    public static async Task<int> RunAsync(int beds, int seconds, TextWriter output)
    {
        using var rig = new ResendRig();
        rig.StartIngest();
        rig.StartGateway($"--Simulation:Beds={beds}");
        output.WriteLine($"gateway-receipted pid={rig.Gateway!.Id} beds={beds} seconds={seconds}");
        output.Flush();
        await Task.Delay(TimeSpan.FromSeconds(seconds)).ConfigureAwait(false);

        var (_, head, stored) = await rig.LaneAsync("telemetry").ConfigureAwait(false);
        var rss = File.ReadLines($"/proc/{rig.Gateway.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"gateway-receipted telemetry head={head} held={stored} {rss.Replace("\t", " ", StringComparison.Ordinal)}"));
        return stored < head ? 0 : 1;
    }
}
