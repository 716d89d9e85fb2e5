namespace EdgeTwin.Drivers.Tests.Fakes;

using System.Device.I2c;

/// <summary>
/// A fake I2C chip as a 256-byte register map with an auto-incrementing register pointer, the way
/// most I2C sensors behave, plus the faults real buses show: NACK, a vanished device, garbage, a hang.
/// </summary>
internal abstract class RegisterMapI2cDevice(int busId, int address) : I2cDevice
{
    private readonly Lock _gate = new();
    private byte _pointer;

    protected byte[] Registers { get; } = new byte[256];

    public override I2cConnectionSettings ConnectionSettings { get; } = new(busId, address);

    /// <summary>The chip does not acknowledge: every transfer throws <see cref="IOException"/>.</summary>
    public bool Nack { get; set; }

    /// <summary>Every read answers this byte instead of the register (a floating bus reads 0xFF).</summary>
    public byte? Garbage { get; set; }

    /// <summary>When set, transfers block until it is released (a stuck bus).</summary>
    public SemaphoreSlim? Hang { get; set; }

    public int Transfers { get; private set; }

    /// <summary>Bytes read since the register pointer was last set (for word-oriented SMBus chips).</summary>
    protected int ByteIndex { get; private set; }

    /// <summary>Data bytes written since the register pointer was last set.</summary>
    protected int WriteIndex { get; private set; }

    public bool Disposed { get; private set; }

    public byte this[byte register]
    {
        get => Registers[register];
        set => Registers[register] = value;
    }

    public override void Read(Span<byte> buffer)
    {
        lock (_gate)
        {
            Enter();
            for (var i = 0; i < buffer.Length; i++)
            {
                buffer[i] = Garbage ?? ReadRegister(_pointer);
                ByteIndex++;
                _pointer = NextPointer(_pointer);
            }
        }
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        lock (_gate)
        {
            Enter();
            if (buffer.Length == 0)
            {
                return;
            }

            _pointer = buffer[0];
            ByteIndex = 0;
            WriteIndex = 0;
            for (var i = 1; i < buffer.Length; i++)
            {
                WriteRegister(_pointer, buffer[i]);
                WriteIndex++;
                _pointer = NextPointer(_pointer);
            }
        }
    }

    public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        Write(writeBuffer);
        Read(readBuffer);
    }

    protected virtual byte ReadRegister(byte register) => Registers[register];

    protected virtual void WriteRegister(byte register, byte value) => Registers[register] = value;

    protected virtual byte NextPointer(byte register) => unchecked((byte)(register + 1));

    protected override void Dispose(bool disposing)
    {
        Disposed = true;
        base.Dispose(disposing);
    }

    private void Enter()
    {
        Hang?.Wait();
        Transfers++;
        if (Nack)
        {
            throw new IOException($"Error 121 performing I2C data transfer (no ACK from 0x{ConnectionSettings.DeviceAddress:X2}).");
        }
    }
}
