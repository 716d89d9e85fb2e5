namespace EdgeTwin.Inference.News2;

/// <summary>Level of consciousness on the ACVPU scale; the numeric values are the wire values of <c>loinc:80288-4</c>.</summary>
public enum Acvpu
{
    Alert = 0,
    NewConfusion = 1,
    Voice = 2,
    Pain = 3,
    Unresponsive = 4,
}
