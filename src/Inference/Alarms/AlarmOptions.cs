namespace EdgeTwin.Inference.Alarms;

using System.ComponentModel.DataAnnotations;
using EdgeTwin.Drivers.Configuration;
using EdgeTwin.Inference.Vitals;
using Microsoft.Extensions.Options;

/// <summary>
/// Alarm behaviour. The delays are the anti-flapping tools: a condition must hold for
/// <see cref="OnsetDelay"/> before it is raised and be gone for <see cref="ClearDelay"/> before it
/// clears; thresholds add value hysteresis on top.
/// </summary>
public sealed class AlarmOptions
{
    [TimeSpanRange("00:00:00", "00:10:00")]
    public TimeSpan OnsetDelay { get; set; } = TimeSpan.FromSeconds(10);

    [TimeSpanRange("00:00:00", "01:00:00")]
    public TimeSpan ClearDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>High-priority alarms stay until acknowledged even when their condition ends (IEC 60601-1-8 latching).</summary>
    public bool LatchHighPriority { get; set; } = true;

    /// <summary>An unacknowledged alarm is re-raised one priority higher after this long.</summary>
    [TimeSpanRange("00:00:10", "1.00:00:00")]
    public TimeSpan EscalateAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How many times one alarm is escalated at most, so an ignored alarm cannot flood the alarm lane.</summary>
    [Range(0, 100)]
    public int MaxEscalations { get; set; } = 3;

    /// <summary>A stream whose samples stay invalid this long raises its sensor-off technical alarm.</summary>
    [TimeSpanRange("00:00:01", "01:00:00")]
    public TimeSpan SensorOffAfter { get; set; } = TimeSpan.FromSeconds(15);

    public AlarmPriority SensorOffPriority { get; set; } = AlarmPriority.Medium;

    public AlarmPriority DeviceLostPriority { get; set; } = AlarmPriority.Medium;

    /// <summary>A gateway that relays alarms alarms itself when it cannot relay for this long.</summary>
    [TimeSpanRange("00:00:01", "1.00:00:00")]
    public TimeSpan UplinkDownAfter { get; set; } = TimeSpan.FromSeconds(60);

    public AlarmPriority UplinkDownPriority { get; set; } = AlarmPriority.Medium;

    public AlarmPriority ModelUnavailablePriority { get; set; } = AlarmPriority.Low;

    /// <summary>The box cannot record (its disk is full): alarms still sound, but nothing reaches the record.</summary>
    public AlarmPriority StorageFullPriority { get; set; } = AlarmPriority.Medium;

    /// <summary>Model risk at or above which its deterioration condition is met.</summary>
    [Range(0.0, 1.0)]
    public double ModelRiskThreshold { get; set; } = 0.7;

    /// <summary>The model condition ends only when the risk falls below threshold minus this.</summary>
    [Range(0.0, 1.0)]
    public double ModelRiskHysteresis { get; set; } = 0.1;

    public AlarmPriority ModelPriority { get; set; } = AlarmPriority.Medium;

    /// <summary>Device id used in gateway-wide technical alarms (uplink, model).</summary>
    [Required]
    public string GatewayDevice { get; set; } = "gateway";

    /// <summary>Limit alarms; null means <see cref="DefaultThresholds"/> (configuration binding appends to lists, so defaults are not pre-filled).</summary>
    [ValidateEnumeratedItems]
    public List<ThresholdRule>? Thresholds { get; set; }

    /// <summary>Adult ward defaults, in the spirit of common monitor presets.</summary>
    public static IReadOnlyList<ThresholdRule> DefaultThresholds { get; } =
    [
        new() { Condition = "spo2-low", Stream = VitalStreams.SpO2, Below = 90, Hysteresis = 2, Priority = AlarmPriority.Medium, Text = "SpO2 low" },
        new() { Condition = "spo2-critical", Stream = VitalStreams.SpO2, Below = 85, Hysteresis = 2, Priority = AlarmPriority.High, Text = "SpO2 critically low" },
        new() { Condition = "hr-low", Stream = VitalStreams.HeartRate, Below = 40, Hysteresis = 5, Priority = AlarmPriority.High, Text = "Heart rate low" },
        new() { Condition = "hr-high", Stream = VitalStreams.HeartRate, Above = 140, Hysteresis = 5, Priority = AlarmPriority.Medium, Text = "Heart rate high" },
        new() { Condition = "rr-low", Stream = VitalStreams.RespirationRate, Below = 8, Hysteresis = 2, Priority = AlarmPriority.High, Text = "Respiration rate low" },
        new() { Condition = "rr-high", Stream = VitalStreams.RespirationRate, Above = 30, Hysteresis = 2, Priority = AlarmPriority.Medium, Text = "Respiration rate high" },
        new() { Condition = "sbp-low", Stream = VitalStreams.SystolicBp, Below = 90, Hysteresis = 5, Priority = AlarmPriority.Medium, Text = "Systolic pressure low" },
        new() { Condition = "sbp-high", Stream = VitalStreams.SystolicBp, Above = 220, Hysteresis = 5, Priority = AlarmPriority.Medium, Text = "Systolic pressure high" },
        new() { Condition = "temp-low", Stream = VitalStreams.Temperature, Below = 35.0, Hysteresis = 0.3, Priority = AlarmPriority.Low, Text = "Temperature low" },
        new() { Condition = "temp-high", Stream = VitalStreams.Temperature, Above = 39.0, Hysteresis = 0.3, Priority = AlarmPriority.Low, Text = "Temperature high" },
    ];

    internal IReadOnlyList<ThresholdRule> EffectiveThresholds() => Thresholds ?? DefaultThresholds;
}
