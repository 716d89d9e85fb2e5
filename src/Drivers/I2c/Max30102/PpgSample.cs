namespace EdgeTwin.Drivers.I2c.Max30102;

/// <summary>One FIFO entry in SpO2 mode: red (LED1) and infrared (LED2) ADC counts, 18-bit left-justified.</summary>
internal readonly record struct PpgSample(int Red, int Infrared);
