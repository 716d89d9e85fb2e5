namespace EdgeTwin.Drivers.I2c.Max30102;

/// <summary>LED_PW, register 0x0A bits 1:0; the pulse width sets the ADC resolution (15-18 bit).</summary>
internal enum Max30102PulseWidth : byte
{
    Us69 = 0,
    Us118 = 1,
    Us215 = 2,
    Us411 = 3,
}
