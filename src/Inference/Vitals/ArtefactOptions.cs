namespace EdgeTwin.Inference.Vitals;

using System.ComponentModel.DataAnnotations;
using EdgeTwin.Drivers.Configuration;

/// <summary>
/// Motion-artefact rejection for SpO2. An oximeter averages over 5-10 s, so a real desaturation
/// shows as a slope; a fall of many points within a second is the probe moving, not the lungs.
/// </summary>
public sealed class ArtefactOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>Largest fall per second (percentage points) taken as physiology.</summary>
    [Range(0.5, 50.0)]
    public double SpO2MaxFallPerSecond { get; set; } = 4;

    /// <summary>A low level held this long is believed after all (a real event, or a probe moved onto a hypoxic patient).</summary>
    [TimeSpanRange("00:00:01", "00:10:00")]
    public TimeSpan SpO2MaxArtefact { get; set; } = TimeSpan.FromSeconds(30);
}
