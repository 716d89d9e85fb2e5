namespace EdgeTwin.Drivers.Tests.Hl7;

using System.Text;
using EdgeTwin.Drivers.Hl7;
using EdgeTwin.Hl7v2;
using FsCheck.Xunit;
using Microsoft.Extensions.Time.Testing;

/// <summary>Whatever the peer sends, the framing accounts for every byte and the handler answers with a parsable ACK.</summary>
public class Hl7FuzzPropertyTests
{
    private static readonly byte[] Alphabet = [0x0B, 0x1C, 0x0D, (byte)'M', (byte)'S', (byte)'H', (byte)'|', (byte)'^', (byte)'\\', (byte)'x'];

    [Property(MaxTest = 300)]
    public bool AnyByteStream_IsSplitIntoItemsCoveringEveryByte(byte[] picks)
    {
        var bytes = picks.Select(p => Alphabet[p % Alphabet.Length]).ToArray();
        var reader = new MllpFrameReader(new MemoryStream(bytes), 16, TimeSpan.FromSeconds(5), TimeProvider.System);
        long covered = 0;
        while (reader.ReadAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult() is { } frame)
        {
            covered += frame.Length;
        }

        return covered == bytes.Length;
    }

    [Property(MaxTest = 300)]
    public bool AnyMutationOfAGoodMessage_GetsAnAckThatParses(int position, char replacement)
    {
        var good = Hl7Samples.Oru("FUZZ-1", Hl7Samples.HeartRate72, Hl7Samples.SpO2Of97);
        var at = (int)((uint)position % (uint)good.Length);
        var text = good[..at] + replacement + good[(at + 1)..];
        var handler = new Hl7MessageHandler(new Hl7MllpSettings("m", System.Net.IPAddress.Loopback, 0, Hl7Samples.Berlin), new FakeTimeProvider());

        var handled = handler.Handle(text);
        var ack = Hl7Message.Parse(handled.Ack);

        return ack.Segments[1].Id == "MSA"
            && (handled.Code == AckCode.Accept || handled.Samples.Count == 0)
            && !Encoding.Latin1.GetBytes(handled.Ack).Contains(MllpFrameReader.EndBlock);
    }
}
