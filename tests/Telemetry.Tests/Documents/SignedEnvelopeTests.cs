namespace EdgeTwin.Telemetry.Tests.Documents;

using System.Text;
using EdgeTwin.Telemetry.Documents;
using EdgeTwin.Telemetry.Wire;

public sealed class SignedEnvelopeTests
{
    /// <summary><c>{"doc":"","sig":""}</c> (19 bytes) and a signature of 0x and 130 hex digits.</summary>
    private const int Overhead = 19 + 132;

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"gw\":\"ward7-bed12\",\"version\":12}")]
    [InlineData("{\"name\":\"say \\\"hi\\\"\",\"tab\":\"a\\tb\",\"city\":\"Zürich – ✓\",\"html\":\"<b>&'</b>\"}")]
    public void SealedLength_IsTheLengthOfTheEnvelopeSealMakes(string doc)
    {
        using var key = TestKeys.Reference();
        var text = Encoding.UTF8.GetBytes(doc);

        Assert.Equal(SignedEnvelope.Seal(text, key).Length, SignedEnvelope.SealedLength(text));
    }

    [Fact]
    public void SealedLength_OfTextWithoutEscapes_IsItsLengthAndTheFixedOverhead_EscapesAddToIt()
    {
        var text = Encoding.UTF8.GetBytes("{\"gw\":\"ward7-bed12\"}");

        // Quotes inside the doc are escaped, so only a doc without them counts as its own length.
        Assert.Equal(Overhead + 2, SignedEnvelope.SealedLength(Encoding.UTF8.GetBytes("ab")));
        Assert.True(SignedEnvelope.SealedLength(text) > Overhead + text.Length);
    }

    [Fact]
    public void DocumentThatFitsExactly_IsSealed_OneByteMore_IsRefusedAndSealedLengthSaysSo()
    {
        using var key = TestKeys.Reference();
        var fits = Encoding.UTF8.GetBytes(new string('x', Limits.MaxEnvelopeBytes - Overhead));
        var over = Encoding.UTF8.GetBytes(new string('x', Limits.MaxEnvelopeBytes - Overhead + 1));

        Assert.Equal(Limits.MaxEnvelopeBytes, SignedEnvelope.Seal(fits, key).Length);
        Assert.Equal(Limits.MaxEnvelopeBytes + 1, SignedEnvelope.SealedLength(over));
        var refused = Assert.Throws<ArgumentException>(() => SignedEnvelope.Seal(over, key));
        Assert.Contains($"envelope would be {Limits.MaxEnvelopeBytes + 1} bytes", refused.Message, StringComparison.Ordinal);
    }
}
