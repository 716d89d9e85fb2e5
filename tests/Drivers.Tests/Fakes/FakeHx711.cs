namespace EdgeTwin.Drivers.Tests.Fakes;

using System.Device.Gpio;

/// <summary>
/// HX711 at pin level: DOUT low when a conversion is ready; each rising PD_SCK edge puts the next
/// bit (MSB first) on DOUT; after 24 bits DOUT goes high until the next conversion. Power-on state:
/// no conversion yet (DOUT high).
/// </summary>
internal sealed class FakeHx711
{
    private readonly FakeGpioDriver _gpio;
    private readonly int _data;
    private readonly int _clock;
    private int _value;
    private int _bit = -1;
    private bool _clockHigh;

    public FakeHx711(FakeGpioDriver gpio, int dataPin, int clockPin)
    {
        _gpio = gpio;
        _data = dataPin;
        _clock = clockPin;
        _gpio.SetInput(_data, PinValue.High);
        _gpio.OnWrite = OnWrite;
    }

    /// <summary>When true, a new conversion (same value) is ready as soon as one has been read.</summary>
    public bool Continuous { get; set; } = true;

    public int Pulses { get; private set; }

    /// <summary>Makes a conversion of <paramref name="raw"/> (24-bit two's complement) ready.</summary>
    public void Present(int raw)
    {
        _value = raw & 0xFFFFFF;
        _bit = 0;
        _gpio.SetInput(_data, PinValue.Low);
    }

    public void Stop()
    {
        Continuous = false;
        _bit = -1;
        _gpio.SetInput(_data, PinValue.High);
    }

    private void OnWrite(int pin, PinValue value)
    {
        if (pin != _clock)
        {
            return;
        }

        var rising = value == PinValue.High && !_clockHigh;
        _clockHigh = value == PinValue.High;
        if (!rising)
        {
            return;
        }

        Pulses++;
        if (_bit is >= 0 and < 24)
        {
            _gpio.SetInput(_data, ((_value >> (23 - _bit)) & 1) == 1 ? PinValue.High : PinValue.Low);
            _bit++;
        }
        else if (_bit == 24)
        {
            // The 25th pulse: gain 128 on channel A for the next conversion; DOUT returns high.
            _bit = -1;
            _gpio.SetInput(_data, PinValue.High);
            if (Continuous)
            {
                Present(_value);
            }
        }
    }
}
