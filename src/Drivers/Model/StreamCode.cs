namespace EdgeTwin.Drivers.Model;

/// <summary>
/// What a stream measures, as it goes on the wire (PROTOCOL §4): <c>loinc:&lt;code&gt;</c> for vital
/// signs of the FHIR R4 vital-signs profile, <c>mdc:&lt;code&gt;</c> for IEEE 11073 waveforms, with a UCUM unit.
/// </summary>
public sealed record StreamCode(string Code, string Unit, StreamKind Kind, double NominalRateHz, string Display)
{
    public override string ToString() => Code;
}
