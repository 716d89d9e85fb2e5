namespace EdgeTwin.Telemetry.Tests.Wire;

using System.Text;
using EdgeTwin.Telemetry.Wire;

/// <summary>Expected strings are what JavaScript's String(x) prints.</summary>
public sealed class EtpNumberTests
{
    [Theory]
    [InlineData(0d, "0")]
    [InlineData(72d, "72")]
    [InlineData(-5d, "-5")]
    [InlineData(0.1, "0.1")]
    [InlineData(-0.2, "-0.2")]
    [InlineData(37.2, "37.2")]
    [InlineData(1.0 / 3, "0.3333333333333333")]
    [InlineData(0.000001, "0.000001")]
    [InlineData(0.0000001, "1e-7")]
    [InlineData(1.5e-10, "1.5e-10")]
    [InlineData(123456789012345680000d, "123456789012345680000")]
    [InlineData(1e21, "1e+21")]
    [InlineData(1.25e22, "1.25e+22")]
    [InlineData(9007199254740993d, "9007199254740992")]
    [InlineData(1e15, "1000000000000000")]
    [InlineData(1234.5678, "1234.5678")]
    [InlineData(double.MaxValue, "1.7976931348623157e+308")]
    [InlineData(double.Epsilon, "5e-324")]
    public void Format_MatchesEcmaScriptNumberToString(double value, string expected)
    {
        Span<byte> buffer = stackalloc byte[EtpNumber.MaxLength];
        var n = EtpNumber.Format(value, buffer);
        Assert.Equal(expected, Encoding.ASCII.GetString(buffer[..n]));
    }

    [Fact]
    public void Format_RoundTripsRandomDoubles()
    {
        var random = new Random(7);
        Span<byte> buffer = stackalloc byte[EtpNumber.MaxLength];
        for (var i = 0; i < 10_000; i++)
        {
            var v = BitConverter.Int64BitsToDouble(random.NextInt64());
            if (!double.IsFinite(v))
            {
                continue;
            }

            var n = EtpNumber.Format(v, buffer);
            Assert.Equal(v == 0 ? 0 : v, double.Parse(Encoding.ASCII.GetString(buffer[..n]), System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}
