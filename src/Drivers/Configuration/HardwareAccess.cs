namespace EdgeTwin.Drivers.Configuration;

using System.Device.Gpio;
using System.Device.I2c;

/// <summary>
/// How drivers reach the buses. The defaults open the real Linux devices (<c>/dev/i2c-N</c>, the
/// GPIO chip); tests pass fakes. Opening happens inside each driver's probe, so a box without the
/// bus starts anyway and reports the device Lost.
/// </summary>
public sealed class HardwareAccess
{
    public static HardwareAccess Default { get; } = new();

    public Func<I2cConnectionSettings, I2cDevice> OpenI2c { get; init; } = I2cDevice.Create;

    public Func<GpioController> OpenGpio { get; init; } = () => new GpioController();
}
