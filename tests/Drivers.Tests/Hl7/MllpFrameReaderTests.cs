namespace EdgeTwin.Drivers.Tests.Hl7;

using System.Text;
using EdgeTwin.Hl7v2;

public class MllpFrameReaderTests
{
    private static async Task<List<(MllpFrameKind Kind, string Payload, long Length)>> ReadAll(byte[] bytes, int max = 64)
    {
        var reader = new MllpFrameReader(new MemoryStream(bytes), max, TimeSpan.FromSeconds(5), TimeProvider.System);
        var frames = new List<(MllpFrameKind, string, long)>();
        while (await reader.ReadAsync(CancellationToken.None) is { } frame)
        {
            frames.Add((frame.Kind, Encoding.Latin1.GetString(frame.Payload), frame.Length));
        }

        return frames;
    }

    private static byte[] Bytes(params object[] parts) =>
        [.. parts.SelectMany(p => p switch { string s => Encoding.Latin1.GetBytes(s), byte b => [b], byte[] a => a, _ => throw new ArgumentException("part") })];

    private static byte[] Frame(string payload) => MllpFrameReader.Wrap(Encoding.Latin1.GetBytes(payload));

    [Fact]
    public async Task BackToBackFrames_AreReadOneByOne()
    {
        var frames = await ReadAll(Bytes(Frame("MSH|one\r"), Frame("MSH|two\r")));

        Assert.Equal([(MllpFrameKind.Message, "MSH|one\r", 11L), (MllpFrameKind.Message, "MSH|two\r", 11L)], frames);
    }

    [Fact]
    public async Task GarbageBetweenFrames_IsReportedWithItsLength_AndDiscarded()
    {
        var frames = await ReadAll(Bytes("noise", Frame("A"), "\r\n", Frame("B"), "tail"));

        Assert.Equal(
            [(MllpFrameKind.Garbage, "", 5L), (MllpFrameKind.Message, "A", 4L), (MllpFrameKind.Garbage, "", 2L), (MllpFrameKind.Message, "B", 4L), (MllpFrameKind.Garbage, "", 4L)],
            frames);
    }

    [Fact]
    public async Task StartBlockInsideAFrame_BreaksTheOldFrame_AndStartsANewOne()
    {
        var frames = await ReadAll(Bytes((byte)0x0B, "half", Frame("whole")));

        Assert.Equal([(MllpFrameKind.Broken, "", 5L), (MllpFrameKind.Message, "whole", 8L)], frames);
    }

    [Fact]
    public async Task EndBlockWithoutCarriageReturn_BreaksTheFrame_AndTheNextFrameIsRead()
    {
        var frames = await ReadAll(Bytes((byte)0x0B, "x", (byte)0x1C, Frame("next")));

        Assert.Equal([(MllpFrameKind.Broken, "", 3L), (MllpFrameKind.Message, "next", 7L)], frames);
    }

    [Fact]
    public async Task OverLongFrame_IsOversize_KeepingOnlyItsFirstBytes_AndTheNextFrameIsRead()
    {
        var big = new string('x', 1000);

        var frames = await ReadAll(Bytes(Frame(big), Frame("small")), max: 64);

        Assert.Equal(MllpFrameKind.Oversize, frames[0].Kind);
        Assert.Equal(new string('x', 64), frames[0].Payload);
        Assert.Equal(1003, frames[0].Length);
        Assert.Equal((MllpFrameKind.Message, "small", 8L), frames[1]);
    }

    [Fact]
    public async Task FrameExactlyAtTheLimit_IsAMessage()
    {
        var frames = await ReadAll(Frame(new string('y', 64)), max: 64);

        Assert.Equal(MllpFrameKind.Message, Assert.Single(frames).Kind);
    }

    [Fact]
    public async Task ConnectionClosedInsideAFrame_IsBroken()
    {
        var frames = await ReadAll(Bytes((byte)0x0B, "MSH|cut"));

        Assert.Equal([(MllpFrameKind.Broken, "", 8L)], frames);
    }

    [Fact]
    public async Task FramesSplitAcrossReads_AreReassembled()
    {
        var bytes = Bytes(Frame("first"), Frame("second"));
        var reader = new MllpFrameReader(new TrickleStream(bytes), 64, TimeSpan.FromSeconds(5), TimeProvider.System);

        var a = await reader.ReadAsync(CancellationToken.None);
        var b = await reader.ReadAsync(CancellationToken.None);

        Assert.Equal(["first", "second"], [Encoding.Latin1.GetString(a!.Payload), Encoding.Latin1.GetString(b!.Payload)]);
        Assert.Null(await reader.ReadAsync(CancellationToken.None));
    }

    /// <summary>Hands out one byte per read, as a slow link might.</summary>
    private sealed class TrickleStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(1, buffer.Length)], cancellationToken);
    }
}
