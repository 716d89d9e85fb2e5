namespace EdgeTwin.Drivers.Model;

/// <summary>
/// What a stream measures, as it goes on the wire (PROTOCOL §4): <c>loinc:&lt;code&gt;</c> for vital
/// signs of the FHIR R4 vital-signs profile, <c>mdc:&lt;code&gt;</c> for IEEE 11073 waveforms, with a UCUM unit.
/// </summary>
public sealed record StreamCode(string Code, string Unit, StreamKind Kind, double NominalRateHz, string Display)
{
    /// <summary>
    /// The step of the values the driver gives for this stream, as a plain decimal (<c>"0.005"</c> for
    /// an ECG at 200 units per mV), when it knows one: every value it gives is a whole number of it.
    /// A compact record then uses exactly this quantum (docs/operations.md, "Records on a metered
    /// link"), so no sample is rounded coarser than its source. Null: the driver states none.
    /// Anything but a quantum's form (<see cref="StreamCodes.AtResolution"/>) is refused here.
    /// </summary>
    public string? Resolution
    {
        get;
        init => field = value is null || StreamCodes.IsResolution(value) ? value
            : throw new ArgumentException($"'{value}' is not a resolution: a plain decimal > 0 with at most 9 integer and 6 fraction digits, no trailing zeros", nameof(value));
    }

    public override string ToString() => Code;
}
