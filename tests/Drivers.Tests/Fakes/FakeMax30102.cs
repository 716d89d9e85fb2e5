namespace EdgeTwin.Drivers.Tests.Fakes;

using EdgeTwin.Drivers.I2c.Max30102;

/// <summary>
/// MAX30102 register map seeded with the datasheet's power-on values (all 0x00, PART_ID 0x15), with
/// a 32-entry FIFO filling in time with the injected clock at the configured rate, as the chip does.
/// The finger's PPG is synthesised for a set heart rate and SpO2.
/// </summary>
internal sealed class FakeMax30102 : RegisterMapI2cDevice
{
    private readonly TimeProvider _time;
    private DateTimeOffset _started;
    private long _consumed;
    private long _lost;
    private int _byteInEntry;

    public FakeMax30102(TimeProvider time)
        : base(1, Max30102.DefaultI2cAddress)
    {
        _time = time;
        PowerOn();
    }

    public double HeartRate { get; set; } = 75;

    public double SpO2 { get; set; } = 97;

    public bool Finger { get; set; } = true;

    public bool Running => (Registers[(byte)Max30102Register.ModeConfiguration] & 0x87) == 0x03;

    public double OutputRateHz => Max30102Settings.RateHz((Max30102SampleRate)((Registers[(byte)Max30102Register.SpO2Configuration] >> 2) & 7))
        / (1 << (Registers[(byte)Max30102Register.FifoConfiguration] >> 5));

    public static PpgSample Synthesise(long index, double rateHz, double heartRate, double spo2, bool finger)
    {
        if (!finger)
        {
            return new PpgSample(1_500 + (int)(index % 7), 2_000 + (int)(index % 5));
        }

        var phase = index * heartRate / 60 / rateHz % 1.0;
        var pulse = Math.Exp(-0.5 * Math.Pow((phase - 0.2) / 0.08, 2)) + (0.4 * Math.Exp(-0.5 * Math.Pow((phase - 0.5) / 0.1, 2)));
        const double perfusion = 0.02;
        var ratio = Max30102CalibrationTable.RatioFor(spo2);
        return new PpgSample((int)(100_000 * (1 - (perfusion * ratio * pulse))), (int)(120_000 * (1 - (perfusion * pulse))));
    }

    protected override byte ReadRegister(byte register)
    {
        var produced = Produced();
        switch ((Max30102Register)register)
        {
            case Max30102Register.FifoWritePointer:
                Overflow(produced);
                return (byte)(produced & 0x1F);
            case Max30102Register.OverflowCounter:
                Overflow(produced);
                return (byte)Math.Min(31, _lost);
            case Max30102Register.FifoReadPointer:
                Overflow(produced);
                return (byte)(_consumed & 0x1F);
            case Max30102Register.FifoData:
                return PopByte(produced);
            default:
                return Registers[register];
        }
    }

    protected override void WriteRegister(byte register, byte value)
    {
        switch ((Max30102Register)register)
        {
            case Max30102Register.ModeConfiguration when (value & 0x40) != 0:
                PowerOn();
                return;
            case Max30102Register.ModeConfiguration:
                var wasRunning = Running;
                Registers[register] = value;
                if (Running && !wasRunning)
                {
                    _started = _time.GetUtcNow();
                    _consumed = 0;
                    _lost = 0;
                }

                return;
            case Max30102Register.FifoWritePointer or Max30102Register.FifoReadPointer or Max30102Register.OverflowCounter:
                _consumed = Produced();
                _lost = 0;
                _byteInEntry = 0;
                return;
            case Max30102Register.PartId or Max30102Register.RevisionId:
                return; // read-only
            default:
                Registers[register] = value;
                return;
        }
    }

    /// <summary>Reading FIFO_DATA does not advance the register pointer.</summary>
    protected override byte NextPointer(byte register) =>
        register == (byte)Max30102Register.FifoData ? register : base.NextPointer(register);

    private void PowerOn()
    {
        Array.Clear(Registers);
        Registers[(byte)Max30102Register.PartId] = 0x15;
        Registers[(byte)Max30102Register.RevisionId] = 0x03;
        _consumed = 0;
        _lost = 0;
        _byteInEntry = 0;
    }

    private long Produced() => Running ? (long)Math.Floor((_time.GetUtcNow() - _started).TotalSeconds * OutputRateHz) : 0;

    /// <summary>With FIFO_ROLLOVER_EN the oldest entries are overwritten; OVF_COUNTER counts them.</summary>
    private void Overflow(long produced)
    {
        if (produced - _consumed > Max30102.FifoDepth)
        {
            _lost += produced - _consumed - Max30102.FifoDepth;
            _consumed = produced - Max30102.FifoDepth;
        }
    }

    private byte PopByte(long produced)
    {
        Overflow(produced);
        if (_consumed >= produced)
        {
            return 0;
        }

        var sample = Synthesise(_consumed, OutputRateHz, HeartRate, SpO2, Finger);
        var value = _byteInEntry < 3 ? sample.Red : sample.Infrared;
        var shift = 16 - (8 * (_byteInEntry % 3));
        var b = (byte)((value >> shift) & 0xFF);
        if (++_byteInEntry == 6)
        {
            _byteInEntry = 0;
            _consumed++;
            _lost = 0;
        }

        return b;
    }
}
