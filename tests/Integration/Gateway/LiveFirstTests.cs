namespace EdgeTwin.Integration.Tests.Gateway;

using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using EdgeTwin.Gateway.Chains;
using EdgeTwin.Gateway.Diagnostics;
using EdgeTwin.Gateway.Uplink;
using EdgeTwin.Integration.Tests.Support;
using EdgeTwin.Telemetry.Records;
using MQTTnet.Server;
using Microsoft.Extensions.DependencyInjection;

public class LiveFirstTests
{
    /// <summary>
    /// mosquitto on loopback drains a backlog faster than the recorder closes its next records, so
    /// the order cannot be seen there. A broker that takes 40 ms per PUBACK with one publish in
    /// flight (about 25 sends a second) is slower than four simulated beds produce, so after the
    /// outage live records are always waiting: the backlog must then get its share (0.25) of the
    /// sends, neither more (live first) nor none (it drains).
    /// </summary>
    [Fact]
    public async Task AfterOutage_OnASaturatedLink_TheBacklogGetsItsShareWhileLiveRecordsGoFirst()
    {
        var port = Mosquitto.FreePort();
        var data = Directory.CreateTempSubdirectory("edgetwin-it-").FullName;
        var server = await StartSlowBrokerAsync(port);
        var gateway = await InProcessGateway.StartAsync(InProcessGateway.Args(data, port, "--Uplink:MaxInFlight=1", "--Simulation:Beds=4", "--Uplink:BacklogShare=0.25"));
        var uplink = gateway.Services.GetRequiredService<MqttUplink>();
        var store = gateway.Services.GetRequiredService<ChainBook>().Store;
        await Wait.UntilAsync(() => uplink.IsConnected, TimeSpan.FromSeconds(20), "connected");

        await server.StopAsync();
        server.Dispose();
        await Wait.UntilAsync(() => !uplink.IsConnected, TimeSpan.FromSeconds(10), "outage noticed");
        var held = store.Usage(Lane.Telemetry).Records;
        await Wait.UntilAsync(() => store.Usage(Lane.Telemetry).Records >= held + 100, TimeSpan.FromSeconds(60), "100 more records held in the outbox during the outage");

        var sources = new ConcurrentQueue<string>();
        using var listener = PublishedSources(gateway.Services.GetRequiredService<GatewayMetrics>().Meter, sources);
        server = await StartSlowBrokerAsync(port);
        await Wait.UntilAsync(() => uplink.IsConnected && uplink.Queue.BacklogCount == 0 && sources.Count(s => s == "live") > 20,
            TimeSpan.FromSeconds(60), "backlog drained and live records flowing");
        await gateway.StopAsync();
        await gateway.DisposeAsync();
        await server.StopAsync();
        server.Dispose();

        var order = sources.ToList();
        var lastBacklog = order.LastIndexOf("backlog");
        var liveDuringDrain = order.Take(lastBacklog).Count(s => s == "live");
        Assert.True(order.Count(s => s == "backlog") >= 100, $"a backlog of {order.Count(s => s == "backlog")} records was drained");
        Assert.True(liveDuringDrain > 0, $"no live record was published during a drain of {lastBacklog} sends");

        // From the first live send to the last backlog one, both waited: the backlog got its share.
        var window = order.Skip(order.IndexOf("live")).Take(lastBacklog - order.IndexOf("live") + 1).ToList();
        var backlogShare = (double)window.Count(s => s == "backlog") / window.Count;
        Assert.InRange(backlogShare, 0.18, 0.32);
        Directory.Delete(data, recursive: true);
    }

    private static async Task<MqttServer> StartSlowBrokerAsync(int port)
    {
        var options = new MqttServerOptionsBuilder().WithDefaultEndpoint().WithDefaultEndpointBoundIPAddress(IPAddress.Loopback)
            .WithDefaultEndpointPort(port).WithPersistentSessions().Build();
        var server = new MqttServerFactory().CreateMqttServer(options);
        server.InterceptingPublishAsync += async _ => await Task.Delay(40);
        await server.StartAsync();
        return server;
    }

    private static MeterListener PublishedSources(Meter meter, ConcurrentQueue<string> sources)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (i, l) =>
            {
                if (ReferenceEquals(i.Meter, meter) && i.Name == "edgetwin.uplink.published")
                {
                    l.EnableMeasurementEvents(i);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "source")
                {
                    sources.Enqueue((string)tag.Value!);
                }
            }
        });
        listener.Start();
        return listener;
    }
}
