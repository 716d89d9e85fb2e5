namespace EdgeTwin.Drivers.I2c.Max30102;

/// <summary>How the pulse oximeter is set up. Defaults: 400 sps averaged by 4 = 100 Hz, 411 us (18 bit), 4096 nA, 7.2 mA.</summary>
internal sealed record Max30102Settings(
    Max30102SampleRate SampleRate = Max30102SampleRate.Sps400,
    Max30102Averaging Averaging = Max30102Averaging.Of4,
    Max30102PulseWidth PulseWidth = Max30102PulseWidth.Us411,
    Max30102AdcRange AdcRange = Max30102AdcRange.Na4096,
    double RedLedMilliamps = 7.2,
    double IrLedMilliamps = 7.2)
{
    public static double RateHz(Max30102SampleRate rate) => rate switch
    {
        Max30102SampleRate.Sps50 => 50,
        Max30102SampleRate.Sps100 => 100,
        Max30102SampleRate.Sps200 => 200,
        Max30102SampleRate.Sps400 => 400,
        Max30102SampleRate.Sps800 => 800,
        Max30102SampleRate.Sps1000 => 1000,
        Max30102SampleRate.Sps1600 => 1600,
        _ => 3200,
    };

    /// <summary>Rate of FIFO entries: the ADC rate divided by the averaging.</summary>
    public double OutputRateHz => RateHz(SampleRate) / (1 << (int)Averaging);

    /// <summary>
    /// Throws when the datasheet forbids the combination: in SpO2 mode the LED pulse must fit the
    /// sample period (Table 11: 411 us up to 400 sps, 215 us up to 800, 118 us up to 1000, 69 us up to 1600).
    /// </summary>
    public void Validate()
    {
        var max = PulseWidth switch
        {
            Max30102PulseWidth.Us411 => 400,
            Max30102PulseWidth.Us215 => 800,
            Max30102PulseWidth.Us118 => 1000,
            _ => 1600,
        };
        if (RateHz(SampleRate) > max)
        {
            throw new ArgumentException($"MAX30102: {RateHz(SampleRate)} sps is too fast for a {PulseWidth} LED pulse in SpO2 mode (max {max} sps).");
        }

        _ = LedRegister(RedLedMilliamps);
        _ = LedRegister(IrLedMilliamps);
    }

    /// <summary>LEDx_PA: 0.2 mA per step, 0x00 = 0 mA to 0xFF = 51 mA (datasheet Table 8).</summary>
    public static byte LedRegister(double milliamps)
    {
        if (!double.IsFinite(milliamps) || milliamps < 0 || milliamps > 51.0)
        {
            throw new ArgumentOutOfRangeException(nameof(milliamps), milliamps, "MAX30102 LED current must be 0-51 mA.");
        }

        return (byte)Math.Round(milliamps / 0.2);
    }
}
