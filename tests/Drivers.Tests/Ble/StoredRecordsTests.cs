namespace EdgeTwin.Drivers.Tests.Ble;

using EdgeTwin.Drivers.Ble.Gatt;
using EdgeTwin.Drivers.Model;

/// <summary>The Record Access Control Point's bytes, the stored-record clock correction and the Current Time read (issue 19).</summary>
public class StoredRecordsTests
{
    private static readonly TimeZoneInfo Zone = TimeZoneInfo.CreateCustomTimeZone("test+1", TimeSpan.FromHours(1), "test+1", "test+1");

    [Fact]
    public void Report_AllRecordsTheFirstTime_ThenSequenceNumberGreaterThanOrEqualToTheNext()
    {
        Assert.Equal([0x01, 0x01], RecordAccessControlPoint.Report(null));
        Assert.Equal([0x01, 0x03, 0x01, 0x05, 0x00], RecordAccessControlPoint.Report(4));
        Assert.Equal([0x01, 0x03, 0x01, 0x00, 0x01], RecordAccessControlPoint.Report(255));
        Assert.Equal([0x01, 0x03, 0x01, 0xFF, 0xFF], RecordAccessControlPoint.Report(65535)); // no further number: the repeat is not published again
        Assert.Equal([0x03, 0x00], RecordAccessControlPoint.Abort());
    }

    [Theory]
    [InlineData(new byte[] { 0x06, 0x00, 0x01, 0x01 }, (byte)0x01, null)]
    [InlineData(new byte[] { 0x06, 0x00, 0x01, 0x06 }, (byte)0x06, null)]
    [InlineData(new byte[] { 0x06, 0x00, 0x01, 0x08 }, (byte)0x08, null)]
    [InlineData(new byte[] { 0x06, 0x00, 0x03, 0x01 }, null, "a response to op code 0x03, not to 0x01")]
    [InlineData(new byte[] { 0x05, 0x00, 0x03, 0x00 }, null, "not a Response Code: 05000300")]
    [InlineData(new byte[] { 0x06, 0x00, 0x01 }, null, "not a Response Code: 060001")]
    public void ResponseTo_ReadsTheResponseValue_OrSaysWhatElseTheIndicationIs(byte[] indication, byte? value, string? problem)
    {
        Assert.Equal(value, RecordAccessControlPoint.ResponseTo(0x01, indication, out var why));
        Assert.Equal(problem, why);
    }

    [Theory]
    [InlineData((byte)1, "success")]
    [InlineData((byte)5, "invalid operand")]
    [InlineData((byte)6, "no records found")]
    [InlineData((byte)8, "procedure not completed")]
    [InlineData((byte)0x20, "reserved (0x20)")]
    public void Describe_NamesTheResponseValue(byte value, string name) => Assert.Equal(name, RecordAccessControlPoint.Describe(value));

    [Theory]
    [InlineData(420, -3 * 3600, true)]     // meter 7 min fast, a record of 3 h ago: charted 3 h ago
    [InlineData(-90, -600, true)]          // meter 90 s slow
    [InlineData(0, 3600, false)]           // a "stored" record an hour in the future: the clock moved since; charted at arrival
    public void ChartStored_CorrectsTheDeviceTimeByTheClockErrorReadAtConnection(int clockAheadSeconds, int trueMinusArrivalSeconds, bool corrected)
    {
        var arrived = new DateTimeOffset(2026, 12, 5, 7, 0, 0, TimeSpan.Zero);
        var stamp = new DateTime(2026, 12, 5, 8, 0, 0).AddSeconds(trueMinusArrivalSeconds + clockAheadSeconds); // local = UTC+1

        var at = DeviceClock.ChartStored(stamp, TimeSpan.FromSeconds(clockAheadSeconds), arrived, Zone, out var offBy);

        Assert.Equal(corrected ? arrived.AddSeconds(trueMinusArrivalSeconds) : arrived, at);
        Assert.Equal(corrected ? null : TimeSpan.FromSeconds(trueMinusArrivalSeconds), offBy);
    }

    [Fact]
    public void CurrentTime_ReadBack_GivesTheClockErrorToTheSecond()
    {
        var box = new DateTimeOffset(2026, 12, 5, 7, 0, 0, 600, TimeSpan.Zero);
        var value = CurrentTime.Encode(box.AddMinutes(7), Zone);              // what a meter 7 min fast answers

        var deviceNow = CurrentTime.Read(value, out var problem);

        Assert.Null(problem);
        Assert.Equal(new DateTime(2026, 12, 5, 8, 7, 0).AddSeconds(153 / 256.0), deviceNow); // 600 ms = 153/256 s
        Assert.Equal(TimeSpan.FromMinutes(7), DeviceClock.Error(deviceNow!.Value, box, Zone));
        Assert.Equal("current time of 7 bytes; 10 expected", (CurrentTime.Read(value[..7], out problem), problem).problem);
        Assert.Equal("device time stamp not known (year, month or day 0)", (CurrentTime.Read(new byte[10], out problem), problem).problem);
    }

    [Fact]
    public void InMemoryCursors_StartEmpty_AndKeepTheLastWritten()
    {
        var cursors = new InMemoryDeviceCursors();
        Assert.Null(cursors.Read("glucose-1/C0:26:DA:01:02:03"));
        cursors.Write("glucose-1/C0:26:DA:01:02:03", 7);
        Assert.Equal(7L, cursors.Read("glucose-1/C0:26:DA:01:02:03"));
        Assert.Null(cursors.Read("glucose-1/C0:26:DA:09:09:09"));
    }
}
