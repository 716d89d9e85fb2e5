namespace EdgeTwin.Drivers.I2c.Max30102;

/// <summary>SPO2_ADC_RGE, register 0x0A bits 6:5: full scale in nA.</summary>
internal enum Max30102AdcRange : byte
{
    Na2048 = 0,
    Na4096 = 1,
    Na8192 = 2,
    Na16384 = 3,
}
