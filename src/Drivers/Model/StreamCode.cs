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
    /// </summary>
    public string? Resolution { get; init; }

    public override string ToString() => Code;
}
