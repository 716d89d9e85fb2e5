namespace EdgeTwin.Drivers.Tests.Configuration;

using System.ComponentModel.DataAnnotations;
using EdgeTwin.Drivers.Configuration;

/// <summary>
/// <see cref="TimeSpanRangeAttribute"/> stands in for <c>[Range(typeof(TimeSpan), min, max)]</c> (whose
/// TypeConverter a NativeAOT build cannot rely on): same verdicts, same message, bounds inclusive.
/// </summary>
public sealed class TimeSpanRangeAttributeTests
{
    [Theory]
    [InlineData("00:00:00.010", "00:10:00", "00:00:00.0099999")]
    [InlineData("00:00:00.010", "00:10:00", "00:00:00.010")]
    [InlineData("00:00:00.010", "00:10:00", "00:05:00")]
    [InlineData("00:00:00.010", "00:10:00", "00:10:00")]
    [InlineData("00:00:00.010", "00:10:00", "00:10:00.0000001")]
    [InlineData("00:00:01", "1.00:00:00", "1.00:00:00")]
    [InlineData("00:00:01", "1.00:00:00", "2.00:00:00")]
    [InlineData("00:00:00", "00:05:00", "-00:00:01")]
    public void Verdict_AndMessage_AreRangeAttributes(string minimum, string maximum, string value)
    {
        var ours = new TimeSpanRangeAttribute(minimum, maximum);
        var theirs = new RangeAttribute(typeof(TimeSpan), minimum, maximum);
        var v = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(theirs.IsValid(v), ours.IsValid(v));
        Assert.Equal(theirs.FormatErrorMessage("Uplink.StopTimeout"), ours.FormatErrorMessage("Uplink.StopTimeout"));
    }

    [Fact]
    public void OnAnotherType_Throws_NamingIt() =>
        Assert.Contains("Int32", Assert.Throws<InvalidOperationException>(() => new TimeSpanRangeAttribute("00:00:01", "00:00:02").IsValid(5)).Message, StringComparison.Ordinal);

    [Fact]
    public void MinimumAboveMaximum_IsRefused() =>
        Assert.Throws<ArgumentException>(() => new TimeSpanRangeAttribute("00:00:02", "00:00:01"));
}
