namespace EdgeTwin.Gateway.Twin;

/// <summary>Polled on every turn of the reporter: tells the twin the current health of each device.</summary>
internal interface IDeviceHealthSource
{
    void Poll();
}
