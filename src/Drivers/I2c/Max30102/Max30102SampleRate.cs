namespace EdgeTwin.Drivers.I2c.Max30102;

/// <summary>SPO2_SR, register 0x0A bits 4:2.</summary>
internal enum Max30102SampleRate : byte
{
    Sps50 = 0,
    Sps100 = 1,
    Sps200 = 2,
    Sps400 = 3,
    Sps800 = 4,
    Sps1000 = 5,
    Sps1600 = 6,
    Sps3200 = 7,
}
