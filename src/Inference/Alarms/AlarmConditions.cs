namespace EdgeTwin.Inference.Alarms;

/// <summary>Condition ids of the alarms the manager raises; threshold rules bring their own.</summary>
public static class AlarmConditions
{
    public const string News2High = "news2-high";
    public const string News2Medium = "news2-medium";
    public const string News2LowMedium = "news2-low-medium";
    public const string ModelDeterioration = "model-deterioration";
    public const string DeviceLost = "device-lost";
    public const string UplinkDown = "uplink-down";
    public const string ModelUnavailable = "model-unavailable";
    public const string StorageFull = "storage-full";

    /// <summary>Prefix of the sensor-off condition of one stream: <c>sensor-off:loinc:59408-5</c>.</summary>
    public const string SensorOffPrefix = "sensor-off:";

    public const string SourceRule = "rule";
    public const string SourceNews2 = "news2";
}
