namespace EdgeTwin.Drivers.Gpio.Hx711;

using System.Device.Gpio;

/// <summary>
/// Avia Semiconductor HX711 24-bit load-cell ADC, bit-banged on two GPIO pins (datasheet: DOUT low =
/// conversion ready; each PD_SCK pulse shifts out one bit, MSB first, two's complement; the 25th
/// pulse selects channel A, gain 128, for the next conversion). Owns and disposes the controller.
/// </summary>
internal sealed class Hx711 : IDisposable
{
    public const int Minimum = -0x800000;
    public const int Maximum = 0x7FFFFF;

    /// <summary>24 data bits plus one to select channel A at gain 128.</summary>
    public const int PulsesPerReading = 25;

    private readonly GpioController _gpio;
    private readonly int _dataPin;
    private readonly int _clockPin;

    public Hx711(GpioController gpio, int dataPin, int clockPin)
    {
        _gpio = gpio ?? throw new ArgumentNullException(nameof(gpio));
        _dataPin = dataPin;
        _clockPin = clockPin;
        _gpio.OpenPin(dataPin, PinMode.Input);

        // PD_SCK high for more than 60 us powers the chip down; low keeps it converting.
        _gpio.OpenPin(clockPin, PinMode.Output, PinValue.Low);
    }

    public bool IsReady => _gpio.Read(_dataPin) == PinValue.Low;

    /// <summary>Reads a conversion if one is ready; false (and nothing clocked) when DOUT is still high.</summary>
    public bool TryReadRaw(out int raw)
    {
        raw = 0;
        if (!IsReady)
        {
            return false;
        }

        var value = 0;
        for (var bit = 0; bit < 24; bit++)
        {
            _gpio.Write(_clockPin, PinValue.High);
            value = (value << 1) | (_gpio.Read(_dataPin) == PinValue.High ? 1 : 0);
            _gpio.Write(_clockPin, PinValue.Low);
        }

        _gpio.Write(_clockPin, PinValue.High);
        _gpio.Write(_clockPin, PinValue.Low);
        raw = SignExtend(value);
        return true;
    }

    /// <summary>24-bit two's complement to int: 0x800000 is the minimum, 0x7FFFFF the maximum.</summary>
    public static int SignExtend(int value24) => (value24 & 0x800000) != 0 ? value24 | unchecked((int)0xFF000000) : value24 & 0xFFFFFF;

    public void Dispose() => _gpio.Dispose();
}
