namespace EdgeTwin.Drivers.Configuration;

/// <summary>One entry of the <c>NurseCall</c> section: a button between a GPIO pin (BCM) and ground.</summary>
public sealed class NurseCallOptions
{
    public string Id { get; set; } = "";

    public int Pin { get; set; }
}
