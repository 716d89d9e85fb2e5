namespace EdgeTwin.Gateway.Configuration;

using System.ComponentModel.DataAnnotations;
using EdgeTwin.Telemetry.Wire;

/// <summary>A gateway or site name (PROTOCOL §1), checked by Telemetry's one rule (<see cref="WireNames.IsName"/>).</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class WireNameAttribute : ValidationAttribute
{
    public override bool IsValid(object? value) => value is string name && WireNames.IsName(name);

    /// <summary>The message as written: the rule's braces are not a format string (the old regex attribute printed them as padding).</summary>
    public override string FormatErrorMessage(string name) => ErrorMessageString;
}
