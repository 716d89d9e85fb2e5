namespace EdgeTwin.Mqtt.Tests;

using System.Net;
using System.Net.Sockets;
using MQTTnet;

/// <summary>
/// The broker connection's socket: left to the kernel's buffer sizes (MQTTnet's own channel pins them
/// at 8 KiB, which turns off autotuning), Nagle off; used by every client built with <c>WithBroker</c>.
/// </summary>
public sealed class TcpStreamProviderTests
{
    [Fact]
    public async Task Connect_GivesASocketWithTheKernelsBufferSizes_AndNagleOff()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var accepting = listener.AcceptSocketAsync();

        await using var stream = await TcpStreamProvider.Instance.ConnectAsync(new DnsEndPoint("localhost", ((IPEndPoint)listener.LocalEndpoint).Port), default);
        using var accepted = await accepting;

        var socket = Assert.IsType<NetworkStream>(stream).Socket;
        using var unsized = new Socket(SocketType.Stream, ProtocolType.Tcp);
        Assert.True(socket.Connected);
        Assert.True(socket.NoDelay);
        // Left to the kernel: at least its initial size (autotuning only grows them on a connection).
        Assert.InRange(socket.ReceiveBufferSize, unsized.ReceiveBufferSize, int.MaxValue);
        Assert.InRange(socket.SendBufferSize, unsized.SendBufferSize, int.MaxValue);
        // What MQTTnet's own channel would have set (8 KiB, which Linux doubles): not what we have.
        Assert.NotEqual(16384, socket.ReceiveBufferSize);

        // Bytes go both ways.
        await stream.WriteAsync("hi"u8.ToArray());
        var buffer = new byte[2];
        Assert.Equal(2, await accepted.ReceiveAsync(buffer, SocketFlags.None));
        Assert.Equal("hi"u8.ToArray(), buffer);
    }

    [Fact]
    public async Task Connect_ToAPortNobodyListensOn_FailsWithTheSocketError()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var error = await Assert.ThrowsAsync<SocketException>(() => TcpStreamProvider.Instance.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), default));
        Assert.Equal(SocketError.ConnectionRefused, error.SocketErrorCode);
    }

    [Theory]
    [InlineData("mqtt://broker.site:1884")]
    [InlineData("mqtts://broker.site:8883")]
    public void WithBroker_ConnectsThroughTheProvider_ToTheBrokersHostAndPort(string address)
    {
        Assert.True(BrokerAddress.TryParse(address, out var broker, out _));
        var options = new MqttClientOptionsBuilder().WithBroker(broker!, new Settings()).Build();

        var tcp = Assert.IsType<MqttClientTcpOptions>(options.ChannelOptions);
        Assert.Same(TcpStreamProvider.Instance, tcp.StreamProvider);
        var endpoint = Assert.IsType<DnsEndPoint>(tcp.RemoteEndpoint);
        Assert.Equal((broker!.Host, broker.Port), (endpoint.Host, endpoint.Port));
        Assert.Equal(broker.Tls, tcp.TlsOptions.UseTls);
    }

    private sealed class Settings : BrokerTransportSettings;
}
