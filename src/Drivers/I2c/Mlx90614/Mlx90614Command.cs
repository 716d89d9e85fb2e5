namespace EdgeTwin.Drivers.I2c.Mlx90614;

/// <summary>
/// MLX90614 SMBus commands (datasheet 3901090614 Rev 13, section 8.4.5): RAM access is 000x xxxx,
/// EEPROM access 001x xxxx. Every read returns a 16-bit word, low byte first, then a PEC byte.
/// </summary>
internal enum Mlx90614Command : byte
{
    AmbientTemperature = 0x06,
    ObjectTemperature1 = 0x07,
    ObjectTemperature2 = 0x08,

    /// <summary>EEPROM 0x1C-0x1F: the 64-bit factory ID number, in four words.</summary>
    IdNumber0 = 0x3C,
    IdNumber1 = 0x3D,
    IdNumber2 = 0x3E,
    IdNumber3 = 0x3F,
}
