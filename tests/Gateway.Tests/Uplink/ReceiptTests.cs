namespace EdgeTwin.Gateway.Tests.Uplink;

using System.Text;
using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Gateway.Tests.Support;
using EdgeTwin.Gateway.Uplink;
using EdgeTwin.Outbox;
using EdgeTwin.Telemetry.Records;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

public class ReceiptTests
{
    [Fact]
    public void Receipt_ForCurrentEpochWithinHead_FreesThatLaneUpToSeq()
    {
        using var temp = new TempDirectory();
        using var h = new BookHarness(temp.Path);
        h.Commit();
        var uplink = Uplink(h);
        var epoch = h.Book.Head(Lane.Telemetry).Epoch;

        uplink.OnReceipt(Encoding.UTF8.GetBytes($$"""{"lane":"telemetry","epoch":"{{epoch}}","seq":0}"""));

        var batch = new OutboxBatch();
        h.Retention.MoveTo(batch);
        Assert.Equal(0, batch.DeleteThrough[Lane.Telemetry]);
    }

    [Theory]
    [InlineData("""{"lane":"video","epoch":"EPOCH","seq":0}""")]
    [InlineData("""{"lane":"telemetry","epoch":"00000000000000000000000000000000","seq":0}""")]
    [InlineData("""{"lane":"telemetry","epoch":"EPOCH","seq":999}""")]
    [InlineData("""{"lane":"telemetry","epoch":"EPOCH","seq":-1}""")]
    [InlineData("""{"lane":"telemetry","epoch":"EPOCH"}""")]
    [InlineData("""{"lane":"telemetry","epoch":"EPOCH","seq":"0"}""")]
    [InlineData("""not json""")]
    public void Receipt_Bad_IsRejected_AndFreesNothing(string receipt)
    {
        using var temp = new TempDirectory();
        using var h = new BookHarness(temp.Path);
        h.Commit();
        var uplink = Uplink(h);

        uplink.OnReceipt(Encoding.UTF8.GetBytes(receipt.Replace("EPOCH", h.Book.Head(Lane.Telemetry).Epoch, StringComparison.Ordinal)));

        var batch = new OutboxBatch();
        h.Retention.MoveTo(batch);
        Assert.True(batch.IsEmpty);
    }

    private static MqttUplink Uplink(BookHarness h)
    {
        var uplinkOptions = Options.Create(new UplinkOptions { Receipts = true });
        var gateway = Options.Create(h.Gateway);
        return new MqttUplink(uplinkOptions, gateway, h.Book, h.Retention, new UplinkTopics(gateway, uplinkOptions), h.Time, h.Metrics,
            NullLogger<MqttUplink>.Instance);
    }
}
