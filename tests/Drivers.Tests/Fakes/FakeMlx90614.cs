namespace EdgeTwin.Drivers.Tests.Fakes;

/// <summary>
/// MLX90614 as SMBus words: a read of a command returns its word low byte first, then a PEC byte.
/// Seeded like a chip on a bench: ambient 25.0 C, object 25.0 C, a factory ID.
/// </summary>
internal sealed class FakeMlx90614 : RegisterMapI2cDevice
{
    private readonly Dictionary<byte, ushort> _words = new()
    {
        [0x06] = Raw(25.0),
        [0x07] = Raw(25.0),
        [0x3C] = 0x1234,
        [0x3D] = 0x5678,
        [0x3E] = 0x9ABC,
        [0x3F] = 0x0DEF,
    };

    public FakeMlx90614()
        : base(1, 0x5A)
    {
    }

    public ushort ObjectRaw
    {
        get => _words[0x07];
        set => _words[0x07] = value;
    }

    public ushort AmbientRaw
    {
        get => _words[0x06];
        set => _words[0x06] = value;
    }

    public static ushort Raw(double celsius) => (ushort)Math.Round((celsius + 273.15) / 0.02);

    protected override byte ReadRegister(byte register)
    {
        var word = _words.GetValueOrDefault(register);
        return ByteIndex switch
        {
            0 => (byte)(word & 0xFF),
            1 => (byte)(word >> 8),
            _ => 0x00, // PEC, not checked by the binding
        };
    }

    protected override byte NextPointer(byte register) => register;
}
