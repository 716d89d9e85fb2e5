namespace EdgeTwin.Drivers.Tests.Fakes;

using System.Numerics;

/// <summary>
/// MPU-6050 register map seeded with the register map document's reset values (WHO_AM_I 0x68,
/// PWR_MGMT_1 0x40 = sleep, others 0x00); ACCEL_XOUT_H..ZOUT_L (0x3B-0x40) give the test's
/// acceleration in g at the sensitivity ACCEL_CONFIG selects (16384 LSB/g at +-2 g ... 2048 at +-16 g).
/// </summary>
internal sealed class FakeMpu6050 : RegisterMapI2cDevice
{
    public FakeMpu6050()
        : base(1, 0x68)
    {
        Registers[0x75] = 0x68;
        Registers[0x6B] = 0x40;
    }

    public Vector3 AccelerationG { get; set; } = new(0, 0, 1);

    public byte AccelConfig => Registers[0x1C];

    protected override byte ReadRegister(byte register)
    {
        if (register is < 0x3B or > 0x40)
        {
            return Registers[register];
        }

        var lsbPerG = 16384 >> ((Registers[0x1C] >> 3) & 3);
        var axis = (register - 0x3B) / 2;
        var g = axis switch { 0 => AccelerationG.X, 1 => AccelerationG.Y, _ => AccelerationG.Z };
        var raw = (short)Math.Clamp(Math.Round(g * lsbPerG), short.MinValue, short.MaxValue);
        return (register - 0x3B) % 2 == 0 ? (byte)(raw >> 8) : (byte)raw;
    }
}
