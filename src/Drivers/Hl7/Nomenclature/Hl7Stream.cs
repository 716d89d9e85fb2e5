namespace EdgeTwin.Drivers.Hl7.Nomenclature;

using EdgeTwin.Drivers.Model;

/// <summary>
/// A stream the HL7 driver can emit, with the range a patient can have (outside it the sample is
/// invalid) and, for rates, what is counted, so that a heart rate in breaths per minute is refused.
/// </summary>
internal sealed record Hl7Stream(StreamCode Code, double Min, double Max, RateOf Counts = RateOf.Nothing, bool WholeNumbers = false)
{
    public bool IsPlausible(double value) =>
        double.IsFinite(value) && value >= Min && value <= Max && (!WholeNumbers || value == Math.Floor(value));
}
