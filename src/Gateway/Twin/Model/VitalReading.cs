namespace EdgeTwin.Gateway.Twin.Model;

/// <summary>The latest sample of one vital-sign stream of a patient; a null value is an invalid sample.</summary>
internal sealed record VitalReading(string Code, string Unit, double? Value, DateTimeOffset At, string Device)
{
    public string Quality => Value is null ? "invalid" : "valid";
}
