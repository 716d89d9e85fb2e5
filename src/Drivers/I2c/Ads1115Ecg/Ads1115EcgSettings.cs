namespace EdgeTwin.Drivers.I2c.Ads1115Ecg;

/// <param name="RateHz">ECG samples per second (125-500; the ADC runs at 860 SPS underneath).</param>
/// <param name="FrontEndGain">AD8232 total gain: 1100 on the common breakout (100 in-amp x 11 op-amp).</param>
/// <param name="ReferenceVolts">AD8232 REFOUT, mid-supply: 1.65 V at 3.3 V.</param>
/// <param name="LeadOffPlusPin">BCM pin wired to LO+.</param>
/// <param name="LeadOffMinusPin">BCM pin wired to LO-.</param>
internal sealed record Ads1115EcgSettings(
    double RateHz = 250,
    double FrontEndGain = 1100,
    double ReferenceVolts = 1.65,
    int LeadOffPlusPin = 23,
    int LeadOffMinusPin = 24);
