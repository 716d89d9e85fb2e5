namespace EdgeTwin.Drivers.Tests.Fakes;

/// <summary>
/// ADS1115 as four 16-bit big-endian registers (datasheet 9.6): conversion, config (power-on
/// 0x8583), Lo_thresh (0x8000), Hi_thresh (0x7FFF). The conversion register returns what the
/// test's analogue input gives.
/// </summary>
internal sealed class FakeAds1115(Func<short> input) : RegisterMapI2cDevice(1, 0x48)
{
    private readonly ushort[] _words = [0x0000, 0x8583, 0x8000, 0x7FFF];
    private byte _high;
    private ushort _latched;

    public ushort Config => _words[1];

    protected override byte ReadRegister(byte register)
    {
        var word = register switch
        {
            0 => ByteIndex == 0 ? _latched = (ushort)input() : _latched,
            1 => (ushort)(_words[1] | 0x8000), // OS = 1: not busy
            _ => register < 4 ? _words[register] : (ushort)0,
        };
        return ByteIndex % 2 == 0 ? (byte)(word >> 8) : (byte)word;
    }

    protected override void WriteRegister(byte register, byte value)
    {
        if (WriteIndex % 2 == 0)
        {
            _high = value;
        }
        else if (register is > 0 and < 4)
        {
            _words[register] = (ushort)((_high << 8) | value);
        }
    }

    protected override byte NextPointer(byte register) => register;
}
