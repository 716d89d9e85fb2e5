namespace EdgeTwin.Telemetry.Tests.Compact;

using System.Text;
using EdgeTwin.Telemetry.Compact;

/// <summary>
/// The sample string of docs/protocol.md §4 "Compact observations". The expected strings are the
/// document's worked examples, computed by hand there (tokens, LEB128 bytes, base64url), not by this code.
/// </summary>
public sealed class CompactSamplesTests
{
    [Fact]
    public void HeartRateExample_FromTheProtocolDocument_EncodesToItsString()
    {
        // 72, 73, 73, null, 70 at q 1: tokens 145, 3, 1, 0, 6; bytes 91 01 03 01 00 06.
        Assert.Equal("kQEDAQAG", CompactSamples.Encode([72, 73, 73, null, 70], Quantum.Parse("1")));
    }

    [Fact]
    public void TemperatureExample_RoundsHalfAwayFromZeroOnTheDecimal_AndDecodesToTheQuantisedValues()
    {
        // 37.12, 37.125 (tie: 3713), -0.005 (tie: -1), 36.9 at q 0.01: bytes 81 3A 03 84 3A D7 39.
        var q = Quantum.Parse("0.01");
        Assert.Equal("gToDhDrXOQ", CompactSamples.Encode([37.12, 37.125, -0.005, 36.9], q));

        var values = new List<double?>();
        Assert.Null(CompactSamples.TryDecode("gToDhDrXOQ"u8, 4, q, values));
        Assert.Equal([37.12, 37.13, -0.01, 36.9], values);
    }

    [Theory]
    [InlineData(0.145, "0.01", 15)] // binary 0.14499999.. but the decimal written is 0.145: a tie, away from zero
    [InlineData(-0.145, "0.01", -15)]
    [InlineData(2.5, "1", 3)]
    [InlineData(-2.5, "1", -3)]
    [InlineData(0.0015, "0.001", 2)]
    [InlineData(0.7, "0.2", 4)] // 3.5 steps: a tie the binary quotient (3.4999999999999996) would miss
    [InlineData(1e-9, "0.001", 0)]
    [InlineData(-0.0, "1", 0)]
    [InlineData(123456.789, "0.005", 24691358)]
    public void Encode_RoundsTheWrittenDecimalHalfAwayFromZero(double value, string q, long expected)
    {
        Assert.True(Quantum.Parse(q).TryEncode(value, out var k));
        Assert.Equal(expected, k);
    }

    [Fact]
    public void NegativeAndLargeDeltas_RoundTrip_UpTo2To53Minus1Steps()
    {
        var q = Quantum.Parse("1");
        double?[] values = [-5, 9007199254740991, -9007199254740991, 0, null, -1, 9007199254740991];
        var d = CompactSamples.Encode(values, q);
        var back = new List<double?>();

        Assert.Null(CompactSamples.TryDecode(Encoding.ASCII.GetBytes(d), values.Length, q, back));
        Assert.Equal(values, back);
    }

    [Fact]
    public void LargeIntegerTimesAFractionalQuantum_DecodesToTheNearestDouble()
    {
        var q = Quantum.Parse("0.000001");
        var d = CompactSamples.Encode([123456789.123456], q);
        var back = new List<double?>();

        Assert.Null(CompactSamples.TryDecode(Encoding.ASCII.GetBytes(d), 1, q, back));
        Assert.Equal(123456789.123456, back[0]);
    }

    [Fact]
    public void AValueBeyond2To53StepsOfTheQuantum_IsRefused()
    {
        Assert.False(Quantum.Parse("1").TryEncode(9007199254740992, out _));
        Assert.False(Quantum.Parse("0.001").TryEncode(1e14, out _));
        Assert.Throws<ArgumentException>(() => CompactSamples.Encode([1, 1e300], Quantum.Parse("1")));
    }

    [Fact]
    public void NullsAndNonFiniteValues_AreInvalidSamples_AndDoNotMoveTheBase()
    {
        var q = Quantum.Parse("1");
        var d = CompactSamples.Encode([null, double.NaN, 5, double.PositiveInfinity, 6], q);
        var back = new List<double?>();

        // tokens 0, 0, 1+zz(5)=11, 0, 1+zz(1)=3: bytes 00 00 0B 00 03.
        Assert.Equal(Convert.ToBase64String(new byte[] { 0, 0, 11, 0, 3 }).TrimEnd('=').Replace('+', '-').Replace('/', '_'), d);
        Assert.Null(CompactSamples.TryDecode(Encoding.ASCII.GetBytes(d), 5, q, back));
        Assert.Equal([null, null, 5, null, 6], back);
    }

    [Fact]
    public void NoSamples_IsTheEmptyString()
    {
        Assert.Equal(string.Empty, CompactSamples.Encode([], Quantum.Parse("1")));
        Assert.Null(CompactSamples.TryDecode(""u8, 0, Quantum.Parse("1"), []));
    }

    [Theory]
    [InlineData("kQEDAQAG=", 5, "base64")] // padding
    [InlineData("kQED AQAG", 5, "base64")] // whitespace
    [InlineData("kQED+QAG", 5, "base64")] // the standard alphabet's '+'
    [InlineData("kQEDA", 5, "base64")] // length mod 4 = 1
    [InlineData("kR", 1, "base64")] // unused trailing bits not zero (0x91 then 0x10..)
    [InlineData("kQEDAQAG", 4, "count")]
    [InlineData("kQEDAQAG", 6, "count")]
    [InlineData("gA", 1, "varint")] // 0x80: cut short
    [InlineData("gAA", 1, "varint")] // 0x80 0x00: overlong zero
    [InlineData("gYCAgICAgIAB", 1, "varint")] // nine bytes: more than 8 groups
    [InlineData("_________38", 1, "range")] // 8-byte token far beyond 2^53 - 1
    public void Malformed_IsRefusedWithItsReason_AndAddsNothing(string d, int count, string expected)
    {
        var into = new List<double?> { 1 };
        Assert.Equal(expected, CompactSamples.TryDecode(Encoding.ASCII.GetBytes(d), count, Quantum.Parse("1"), into));
        Assert.Equal([1], into);
    }

    [Theory]
    [InlineData("1", 1, 0)]
    [InlineData("0.01", 1, 2)]
    [InlineData("0.010", 1, 2)]
    [InlineData("0.005", 5, 3)]
    [InlineData("0.000001", 1, 6)]
    [InlineData("250", 250, 0)]
    [InlineData("999999999.999999", 999999999999999, 6)]
    public void Quantum_ReadsPlainDecimals(string text, long mantissa, int scale)
    {
        Assert.True(Quantum.TryParse(text, out var q));
        Assert.Equal((mantissa, scale), (q.Mantissa, q.Scale));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("0.0")]
    [InlineData("-1")]
    [InlineData("1e-3")]
    [InlineData("01")]
    [InlineData(".5")]
    [InlineData("1.")]
    [InlineData("0.0000001")]
    [InlineData("1000000000")]
    [InlineData("")]
    public void Quantum_RefusesAnythingElse(string text) => Assert.False(Quantum.TryParse(text, out _));
}
