namespace EdgeTwin.Telemetry.Tests;

using EdgeTwin.Telemetry.Signing;

/// <summary>TEST KEYS ONLY. Never use them for anything but tests and vectors.</summary>
internal static class TestKeys
{
    /// <summary>32 bytes of 0x22: the key of the shared reference vectors.</summary>
    public const string ReferenceHex = "0x2222222222222222222222222222222222222222222222222222222222222222";
    public const string ReferenceAddress = "0x1563915e194D8CfBA1943570603F7606A3115508";

    /// <summary>32 bytes of 0x33: stands in for a forger.</summary>
    public const string OtherHex = "0x3333333333333333333333333333333333333333333333333333333333333333";

    public static GatewayKey Reference() => GatewayKey.FromPrivateKeyHex(ReferenceHex);

    public static GatewayKey Other() => GatewayKey.FromPrivateKeyHex(OtherHex);
}
