namespace EdgeTwin.Gateway.Tests.Configuration;

using EdgeTwin.Gateway.Configuration;

public class BrokerAddressTests
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
    [InlineData("mqtt://user:pw@broker:1883", "scheme://host:port only")]
    [InlineData("mqtt://broker:1883/path", "scheme://host:port only")]
    public void TryParse_Invalid_NamesTheProblem(string text, string expected)
    {
        Assert.False(BrokerAddress.TryParse(text, out var address, out var problem));
        Assert.Null(address);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }
}
