namespace EdgeTwin.Drivers.I2c.Max30102;

/// <summary>SMP_AVE, register 0x08 bits 7:5: samples averaged per FIFO entry.</summary>
internal enum Max30102Averaging : byte
{
    None = 0,
    Of2 = 1,
    Of4 = 2,
    Of8 = 3,
    Of16 = 4,
    Of32 = 5,
}
