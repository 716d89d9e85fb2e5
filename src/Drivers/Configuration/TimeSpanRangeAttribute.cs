namespace EdgeTwin.Drivers.Configuration;

using System.ComponentModel.DataAnnotations;
using System.Globalization;

/// <summary>
/// An inclusive range of a <see cref="TimeSpan"/> setting, with <c>[Range(typeof(TimeSpan), min, max)]</c>'s
/// check and message but without its TypeConverter: that constructor is marked as unsafe for trimming,
/// so a NativeAOT build warns wherever it is applied. The options validator generator
/// (<c>[OptionsValidator]</c>) calls this attribute like any other validation attribute.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter)]
public sealed class TimeSpanRangeAttribute : ValidationAttribute
{
    /// <param name="minimum">The least value, as <see cref="TimeSpan.Parse(string, IFormatProvider)"/> reads it in the invariant culture ("00:00:00.010").</param>
    /// <param name="maximum">The greatest value, in the same form ("1.00:00:00").</param>
    public TimeSpanRangeAttribute(string minimum, string maximum)
        : base("The field {0} must be between {1} and {2}.")
    {
        Minimum = TimeSpan.Parse(minimum, CultureInfo.InvariantCulture);
        Maximum = TimeSpan.Parse(maximum, CultureInfo.InvariantCulture);
        if (Minimum > Maximum)
        {
            throw new ArgumentException($"the minimum {minimum} is above the maximum {maximum}", nameof(minimum));
        }
    }

    public TimeSpan Minimum { get; }

    public TimeSpan Maximum { get; }

    public override bool IsValid(object? value) => value switch
    {
        null => true,
        TimeSpan t => t >= Minimum && t <= Maximum,
        _ => throw new InvalidOperationException($"{nameof(TimeSpanRangeAttribute)} is on a {value.GetType().Name}, not a TimeSpan"),
    };

    public override string FormatErrorMessage(string name) =>
        string.Format(CultureInfo.CurrentCulture, ErrorMessageString, name, Minimum, Maximum);
}
