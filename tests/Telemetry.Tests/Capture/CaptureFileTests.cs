namespace EdgeTwin.Telemetry.Tests.Capture;

using EdgeTwin.Telemetry.Capture;

public sealed class CaptureFileTests
{
    [Fact]
    public void WriteThenRead_RoundTripsExactBytes()
    {
        var payload = new byte[] { 0, 1, 2, 0xFF, (byte)'{', (byte)'"' };
        var writer = new StringWriter();
        CaptureFile.Write(writer, "edgetwin/v1/site/gw/telemetry", payload);
        CaptureFile.Write(writer, "t/\"quoted\"", []);

        var entries = CaptureFile.Read(new StringReader(writer.ToString())).ToList();

        Assert.Equal(2, entries.Count);
        Assert.Equal("edgetwin/v1/site/gw/telemetry", entries[0].Topic);
        Assert.Equal(payload, entries[0].Payload);
        Assert.Equal(("t/\"quoted\"", 2L), (entries[1].Topic, entries[1].Line));
        Assert.Equal("{\"topic\":\"edgetwin/v1/site/gw/telemetry\",\"b64\":\"AAEC/3si\"}\n", writer.ToString().Split('\n')[0] + "\n");
    }

    [Fact]
    public void ReferenceCapture_ReadsTwelveEntries()
    {
        using var reader = File.OpenText(ReferenceVectors.PathOf("etp1-reference.jsonl"));
        var entries = CaptureFile.Read(reader).ToList();
        Assert.Equal(12, entries.Count);
        Assert.All(entries, e => Assert.Null(e.Problem));
    }

    [Fact]
    public void BadLines_AreReportedWithTheirLineNumber_NotDropped()
    {
        const string text = "not json\n\n{\"topic\":\"t\"}\n{\"topic\":\"t\",\"b64\":\"***\"}\n{\"topic\":\"t\",\"b64\":\"AA==\"}\n";
        var entries = CaptureFile.Read(new StringReader(text)).ToList();

        Assert.Equal(
            [(1L, CaptureFile.MalformedLine), (3L, CaptureFile.MalformedLine), (4L, CaptureFile.BadBase64), (5L, null)],
            entries.Select(e => (e.Line, e.Problem)));
        Assert.Equal([0], entries[3].Payload!);
    }
}
