namespace EdgeTwin.Drivers.I2c.Max30102;

/// <summary>MAX30102 register map (datasheet 19-7740 Rev 1, Table 1). All power on as 0x00 except PartId = 0x15.</summary>
internal enum Max30102Register : byte
{
    InterruptStatus1 = 0x00,
    InterruptStatus2 = 0x01,
    InterruptEnable1 = 0x02,
    InterruptEnable2 = 0x03,
    FifoWritePointer = 0x04,
    OverflowCounter = 0x05,
    FifoReadPointer = 0x06,

    /// <summary>Reading it pops the FIFO; unlike the others, the register pointer does not advance past it.</summary>
    FifoData = 0x07,
    FifoConfiguration = 0x08,
    ModeConfiguration = 0x09,
    SpO2Configuration = 0x0A,
    Led1PulseAmplitude = 0x0C,
    Led2PulseAmplitude = 0x0D,
    MultiLedControl1 = 0x11,
    MultiLedControl2 = 0x12,
    DieTemperatureInteger = 0x1F,
    DieTemperatureFraction = 0x20,
    DieTemperatureConfig = 0x21,
    RevisionId = 0xFE,
    PartId = 0xFF,
}
