namespace EdgeTwin.Drivers.Model;

/// <summary>Health of a device as the twin and the technical alarms see it.</summary>
public enum DeviceHealth
{
    Ok,
    Degraded,
    Lost,
}
