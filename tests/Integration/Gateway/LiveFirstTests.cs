namespace EdgeTwin.Integration.Tests.Gateway;

using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using EdgeTwin.Gateway.Diagnostics;
using EdgeTwin.Gateway.Uplink;
using EdgeTwin.Integration.Tests.Support;
using MQTTnet.Server;
using Microsoft.Extensions.DependencyInjection;

public class LiveFirstTests
{
    /// <summary>
    /// mosquitto on loopback drains a 10-second backlog faster than the recorder closes its next
    /// records, so the order cannot be seen there; a broker that takes 5 ms per PUBACK (a slow
    /// uplink) makes the drain last seconds, and live records must overtake it.
    /// </summary>
    [Fact]
    public async Task AfterOutage_OnSlowLink_LiveRecordsArePublishedWhileTheBacklogDrains()
    {
        var port = Mosquitto.FreePort();
        var data = Directory.CreateTempSubdirectory("edgetwin-it-").FullName;
        var server = await StartSlowBrokerAsync(port);
        var gateway = await InProcessGateway.StartAsync(InProcessGateway.Args(data, port, "--Uplink:MaxInFlight=1"));
        var uplink = gateway.Services.GetRequiredService<MqttUplink>();
        await Wait.UntilAsync(() => uplink.IsConnected, TimeSpan.FromSeconds(20), "connected");

        await server.StopAsync();
        server.Dispose();
        await Wait.UntilAsync(() => !uplink.IsConnected, TimeSpan.FromSeconds(10), "outage noticed");
        await Task.Delay(TimeSpan.FromSeconds(8)); // the outage: records pile up in the outbox

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
        Assert.True(lastBacklog > 100, $"a backlog of {lastBacklog} records was drained");
        Assert.True(liveDuringDrain > 0, $"no live record was published during a drain of {lastBacklog} sends");
        // Once both waited, the backlog took about its share (0.25) and not more.
        var window = order.Skip(order.IndexOf("live")).Take(lastBacklog - order.IndexOf("live")).ToList();
        Assert.True(window.Count(s => s == "live") >= window.Count / 10, $"live {window.Count(s => s == "live")} of {window.Count} while both waited");
        Directory.Delete(data, recursive: true);
    }

    private static async Task<MqttServer> StartSlowBrokerAsync(int port)
    {
        var options = new MqttServerOptionsBuilder().WithDefaultEndpoint().WithDefaultEndpointBoundIPAddress(IPAddress.Loopback)
            .WithDefaultEndpointPort(port).WithPersistentSessions().Build();
        var server = new MqttServerFactory().CreateMqttServer(options);
        server.InterceptingPublishAsync += async _ => await Task.Delay(5);
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
