namespace EdgeTwin.Drivers.Tests.Ble.FakeBluez;

/// <summary>How a fake device pairs, i.e. what bluetoothd asks the registered agent when a client calls Pair.</summary>
public enum FakePairingMethod
{
    /// <summary>No passkey: bluetoothd asks the agent nothing.</summary>
    JustWorks,

    /// <summary>The device shows a passkey: bluetoothd asks the agent RequestPasskey and compares.</summary>
    Passkey,

    /// <summary>Numeric comparison: bluetoothd asks the agent RequestConfirmation with the device's number.</summary>
    Confirmation,

    /// <summary>The device has a keyboard: bluetoothd asks the agent DisplayPasskey, and the user types it there.</summary>
    Display,

    /// <summary>The device never completes: Pair answers only when CancelPairing is called (bluetoothd then calls the agent's Cancel).</summary>
    Silent,
}
