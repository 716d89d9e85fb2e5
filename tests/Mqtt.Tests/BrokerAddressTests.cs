namespace EdgeTwin.Mqtt.Tests;

public sealed class BrokerAddressTests
{
    [Theory]
    [InlineData("mqtt://broker.local:1884", "broker.local", 1884, false)]
    [InlineData("mqtt://10.0.0.5", "10.0.0.5", 1883, false)]
    [InlineData("mqtts://cloud.example.org", "cloud.example.org", 8883, true)]
    [InlineData("mqtts://cloud.example.org:9883/", "cloud.example.org", 9883, true)]
    public void TryParse_Valid(string text, string host, int port, bool tls)
    {
        Assert.True(BrokerAddress.TryParse(text, out var address, out var problem), problem);
        Assert.Equal(new BrokerAddress(host, port, tls), address);
    }

    [Theory]
    [InlineData("http://broker:1883", "unknown scheme 'http'")]
    [InlineData("tcp://broker:1883", "unknown scheme 'tcp'")]
    [InlineData("broker:1883", "use mqtt://host:port")]
    [InlineData("not a uri", "not a URI")]
    [InlineData("", "not a URI")]
    [InlineData(null, "not a URI")]
    [InlineData("mqtt://user:pw@broker:1883", "scheme://host:port only")]
    [InlineData("mqtt://broker:1883/path", "scheme://host:port only")]
    [InlineData("mqtts://broker?x=1", "scheme://host:port only")]
    public void TryParse_Invalid_NamesTheProblem(string? text, string expected)
    {
        Assert.False(BrokerAddress.TryParse(text, out var address, out var problem));
        Assert.Null(address);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mqtt://127.0.0.1", true)]
    [InlineData("mqtt://127.8.9.10", true)]
    [InlineData("mqtt://localhost", true)]
    [InlineData("mqtt://[::1]:1883", true)]
    [InlineData("mqtt://10.0.0.5", false)]
    [InlineData("mqtt://broker.local", false)]
    [InlineData("mqtt://localhost.example.org", false)]
    public void IsLoopback_OnlyForThisBox(string text, bool loopback)
    {
        Assert.True(BrokerAddress.TryParse(text, out var address, out _));
        Assert.Equal(loopback, address!.IsLoopback);
    }
}
