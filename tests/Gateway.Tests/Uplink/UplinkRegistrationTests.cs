namespace EdgeTwin.Gateway.Tests.Uplink;

using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Gateway.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

/// <summary>
/// <c>--Uplink:ReceiptSigners=0x..,0x..</c> (issue 22, item 4): the list given as one scalar, as people
/// type it, is taken through the gateway's real registration; the configuration binder alone drops it,
/// and a gateway with receipts on would then accept no receipt.
/// </summary>
public sealed class UplinkRegistrationTests : IDisposable
{
    private const string Ingest = "0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF";
    private const string Standby = "0x6813Eb9362372EEF6200f3b1dbC3f819671cBA69";
    private readonly string _directory = Directory.CreateTempSubdirectory("edgetwin-di-").FullName;

    [Theory]
    [InlineData(Ingest)]
    [InlineData(" " + Ingest + " ," + Standby)]
    public async Task ReceiptSigners_GivenAsOneScalar_AreTakenNotIgnored(string scalar)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Gateway:DataDirectory"] = _directory,
            ["Inference:Model:Enabled"] = "false",
            ["Uplink:Receipts"] = "true",
            ["Uplink:ReceiptSigners"] = scalar,
        });
        builder.Services.AddEdgeTwinGateway(builder.Configuration);
        await using var provider = builder.Services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<UplinkOptions>>().Value;

        Assert.Equal(scalar.Split(',').Select(a => a.Trim()), options.ReceiptSigners);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
