namespace EdgeTwin.Drivers.I2c.Max30102;

using System.Device.I2c;

/// <summary>
/// Maxim MAX30102 pulse oximeter and heart-rate sensor, written from the datasheet's register map
/// (there is no binding for it). SpO2 mode: red and IR LEDs alternate, each sample pair goes into a
/// 32-entry FIFO that <see cref="ReadFifo"/> drains. Owns and disposes its <see cref="I2cDevice"/>.
/// </summary>
internal sealed class Max30102 : IDisposable
{
    public const byte DefaultI2cAddress = 0x57;
    public const byte ExpectedPartId = 0x15;
    public const int FifoDepth = 32;

    /// <summary>Bytes per FIFO entry in SpO2 mode: 3 for red, then 3 for IR.</summary>
    private const int EntryBytes = 6;

    private const byte ModeSpO2 = 0b011;
    private const byte ResetBit = 0x40;
    private const byte ShutdownBit = 0x80;
    private const byte FifoRollover = 0x10;

    private readonly I2cDevice _device;

    public Max30102(I2cDevice device)
    {
        _device = device ?? throw new ArgumentNullException(nameof(device));
    }

    public byte ReadPartId() => ReadRegister(Max30102Register.PartId);

    public byte ReadRevisionId() => ReadRegister(Max30102Register.RevisionId);

    /// <summary>Resets every register to its power-on value; the RESET bit clears itself when done.</summary>
    public void Reset() => WriteRegister(Max30102Register.ModeConfiguration, ResetBit);

    /// <summary>Puts the chip in SpO2 mode with these settings and empties the FIFO.</summary>
    public void Configure(Max30102Settings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();

        // FIFO_A_FULL = 0x0F: the almost-full flag fires with 17 entries unread; rollover keeps
        // newest data if we fall behind, and the overflow counter says how much was lost.
        WriteRegister(Max30102Register.FifoConfiguration, (byte)(((byte)settings.Averaging << 5) | FifoRollover | 0x0F));
        WriteRegister(Max30102Register.SpO2Configuration, SpO2Configuration(settings));
        WriteRegister(Max30102Register.Led1PulseAmplitude, Max30102Settings.LedRegister(settings.RedLedMilliamps));
        WriteRegister(Max30102Register.Led2PulseAmplitude, Max30102Settings.LedRegister(settings.IrLedMilliamps));
        ClearFifo();
        WriteRegister(Max30102Register.ModeConfiguration, ModeSpO2);
    }

    /// <summary>SPO2_ADC_RGE (6:5), SPO2_SR (4:2), LED_PW (1:0).</summary>
    public static byte SpO2Configuration(Max30102Settings settings) =>
        (byte)(((byte)settings.AdcRange << 5) | ((byte)settings.SampleRate << 2) | (byte)settings.PulseWidth);

    public void Shutdown() => WriteRegister(Max30102Register.ModeConfiguration, ShutdownBit | ModeSpO2);

    public void ClearFifo()
    {
        WriteRegister(Max30102Register.FifoWritePointer, 0);
        WriteRegister(Max30102Register.OverflowCounter, 0);
        WriteRegister(Max30102Register.FifoReadPointer, 0);
    }

    /// <summary>
    /// Drains the FIFO into <paramref name="destination"/> (room for 32). Returns the number of
    /// entries read; <paramref name="lost"/> is how many the chip dropped since the last read
    /// (overflow counter, saturating at 31). Throws <see cref="InvalidDataException"/> when the
    /// pointers are not 5-bit values, i.e. the chip answered garbage.
    /// </summary>
    public int ReadFifo(Span<PpgSample> destination, out int lost)
    {
        Span<byte> pointers = stackalloc byte[3];
        ReadRegisters(Max30102Register.FifoWritePointer, pointers);
        var (write, overflow, read) = (pointers[0], pointers[1], pointers[2]);
        if ((write | overflow | read) > 0x1F)
        {
            throw new InvalidDataException($"MAX30102 FIFO pointers out of range (wr 0x{write:X2}, ovf 0x{overflow:X2}, rd 0x{read:X2}).");
        }

        lost = overflow;
        var available = overflow > 0 ? FifoDepth : (write - read) & 0x1F;
        var count = Math.Min(available, destination.Length);
        if (count == 0)
        {
            return 0;
        }

        Span<byte> data = stackalloc byte[FifoDepth * EntryBytes];
        data = data[..(count * EntryBytes)];
        ReadRegisters(Max30102Register.FifoData, data);
        for (var i = 0; i < count; i++)
        {
            destination[i] = new PpgSample(Decode(data.Slice(i * EntryBytes, 3)), Decode(data.Slice((i * EntryBytes) + 3, 3)));
        }

        return count;
    }

    /// <summary>Starts a die temperature conversion; read it with <see cref="TryReadDieTemperature"/>.</summary>
    public void StartDieTemperature() => WriteRegister(Max30102Register.DieTemperatureConfig, 0x01);

    /// <summary>TINT (two's complement degC) + TFRAC x 0.0625 degC; false while a conversion is still running.</summary>
    public bool TryReadDieTemperature(out double celsius)
    {
        celsius = double.NaN;
        if ((ReadRegister(Max30102Register.DieTemperatureConfig) & 0x01) != 0)
        {
            return false;
        }

        Span<byte> value = stackalloc byte[2];
        ReadRegisters(Max30102Register.DieTemperatureInteger, value);
        celsius = DieTemperature(value[0], value[1]);
        return true;
    }

    public static double DieTemperature(byte integer, byte fraction) => (sbyte)integer + ((fraction & 0x0F) * 0.0625);

    /// <summary>FIFO data is left-justified: bit 17 is always the MSB, whatever the resolution.</summary>
    public static int Decode(ReadOnlySpan<byte> three) => ((three[0] << 16) | (three[1] << 8) | three[2]) & 0x3FFFF;

    public void Dispose() => _device.Dispose();

    private byte ReadRegister(Max30102Register register)
    {
        Span<byte> value = stackalloc byte[1];
        ReadRegisters(register, value);
        return value[0];
    }

    private void ReadRegisters(Max30102Register register, Span<byte> destination)
    {
        ReadOnlySpan<byte> address = [(byte)register];
        _device.WriteRead(address, destination);
    }

    private void WriteRegister(Max30102Register register, byte value)
    {
        ReadOnlySpan<byte> buffer = [(byte)register, value];
        _device.Write(buffer);
    }
}
