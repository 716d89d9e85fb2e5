namespace EdgeTwin.Gateway.Twin.Model;

/// <summary>
/// Whose a sample is and whether it may leave the box. <see cref="Patient"/> is a pseudonym or
/// <see cref="Unattributed"/>; when <see cref="MayPublish"/> is false the sample is still used on
/// the box (scores, alarms) but no record of it may be published.
/// </summary>
internal readonly record struct SampleAttribution(string Patient, bool MayPublish)
{
    /// <summary>The <c>patient</c> of a sample from a device bound to nobody at the sample's time.</summary>
    public const string Unattributed = "unattributed";

    public bool IsAttributed => !string.Equals(Patient, Unattributed, StringComparison.Ordinal);
}
