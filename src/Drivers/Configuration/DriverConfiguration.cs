namespace EdgeTwin.Drivers.Configuration;

using System.Globalization;
using EdgeTwin.Drivers.Ble;
using EdgeTwin.Drivers.Gpio.Annunciation;
using EdgeTwin.Drivers.Simulation;
using Microsoft.Extensions.Configuration;

/// <summary>
/// Reads and checks the <c>Simulation</c> and <c>Devices</c> sections. Read by hand rather than by
/// the binder so that every bad value fails with a message naming its key, before any device opens.
/// </summary>
public static class DriverConfiguration
{
    private static readonly HashSet<string> DeviceKeys = new(StringComparer.OrdinalIgnoreCase) { "Type", "Id", "Bus", "Address" };

    /// <summary>Reads and validates; throws <see cref="DriverConfigurationException"/> on the first bad value.</summary>
    public static DriverOptions Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new DriverOptions();
        ReadSimulation(configuration.GetSection("Simulation"), options.Simulation);
        foreach (var entry in configuration.GetSection("Devices").GetChildren())
        {
            options.Devices.Add(ReadDevice(entry));
        }

        var annunciator = configuration.GetSection("Annunciator");
        options.Annunciator.Type = annunciator["Type"] ?? options.Annunciator.Type;
        options.Annunciator.RedPin = ReadInt(annunciator, "RedPin") ?? options.Annunciator.RedPin;
        options.Annunciator.YellowPin = ReadInt(annunciator, "YellowPin") ?? options.Annunciator.YellowPin;
        options.Annunciator.BuzzerPin = ReadInt(annunciator, "BuzzerPin") ?? options.Annunciator.BuzzerPin;
        options.Annunciator.QuietHours = annunciator["QuietHours"] ?? options.Annunciator.QuietHours;
        options.Annunciator.TimeZone = annunciator["TimeZone"] ?? options.Annunciator.TimeZone;
        foreach (var button in configuration.GetSection("NurseCall").GetChildren())
        {
            options.NurseCall.Add(new NurseCallOptions { Id = button["Id"] ?? "", Pin = ReadInt(button, "Pin") ?? -1 });
        }

        Validate(options);
        return options;
    }

    /// <summary>Throws <see cref="DriverConfigurationException"/> naming the first value out of range.</summary>
    public static void Validate(DriverOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var sim = options.Simulation;
        Require(sim.Beds is >= 0 and <= 1000, "Simulation:Beds", sim.Beds, "0-1000");
        Require(ScenarioCatalog.Exists(sim.Scenario), "Simulation:Scenario", sim.Scenario, string.Join(", ", ScenarioCatalog.Names));
        foreach (var (bed, scenario) in sim.BedScenarios)
        {
            Require(bed >= 1 && bed <= sim.Beds, $"Simulation:BedScenarios:{bed}", bed, $"a bed number 1-{sim.Beds}");
            Require(ScenarioCatalog.Exists(scenario), $"Simulation:BedScenarios:{bed}", scenario, string.Join(", ", ScenarioCatalog.Names));
        }

        Require(sim.EcgRateHz == 0 || sim.EcgRateHz is >= 100 and <= 1000, "Simulation:EcgRateHz", sim.EcgRateHz, "0 (off) or 100-1000");
        Require(sim.PlethRateHz == 0 || sim.PlethRateHz is >= 25 and <= 500, "Simulation:PlethRateHz", sim.PlethRateHz, "0 (off) or 25-500");
        Require(sim.Speed is >= 0.01 and <= 3600, "Simulation:Speed", sim.Speed, "0.01-3600");
        Require(sim.WakeIntervalMs is >= 5 and <= 1000, "Simulation:WakeIntervalMs", sim.WakeIntervalMs, "5-1000");
        Require(!string.IsNullOrWhiteSpace(sim.DeviceIdPrefix), "Simulation:DeviceIdPrefix", sim.DeviceIdPrefix, "a non-empty prefix");

        var ids = new HashSet<string>(StringComparer.Ordinal);
        var bluetooth = new HashSet<string>(StringComparer.Ordinal);
        for (var bed = 1; bed <= sim.Beds; bed++)
        {
            ids.Add(sim.DeviceIdPrefix + bed.ToString(CultureInfo.InvariantCulture));
        }

        for (var i = 0; i < options.Devices.Count; i++)
        {
            var device = options.Devices[i];
            Require(DeviceTypes.All.Contains(device.Type, StringComparer.OrdinalIgnoreCase), $"Devices:{i}:Type", device.Type, string.Join(", ", DeviceTypes.All));
            Require(!string.IsNullOrWhiteSpace(device.Id), $"Devices:{i}:Id", device.Id, "a non-empty device id");
            Require(ids.Add(device.Id), $"Devices:{i}:Id", device.Id, "an id no other device on this box has");
            Require(device.Bus is >= 0 and <= 255, $"Devices:{i}:Bus", device.Bus, "0-255");
            Require(device.Address is null or (>= 0x03 and <= 0x77), $"Devices:{i}:Address", device.Address, "a 7-bit address 0x03-0x77");
            if (string.Equals(device.Type, DeviceTypes.BleGatt, StringComparison.OrdinalIgnoreCase))
            {
                var ble = BleGattSettings.Read(device);
                Require(bluetooth.Add(ble.DevicePath), $"Devices:{i}:Address", ble.Address, $"a Bluetooth device no other entry on {ble.Adapter} reads");
            }
        }

        ValidateNetwork(options);

        ValidateGpio(options);
    }

    /// <summary>GPIO pins (BCM 2-27; 0 and 1 belong to the HAT EEPROM) must be valid and used once.</summary>
    private static void ValidateGpio(DriverOptions options)
    {
        var annunciator = options.Annunciator;
        Require(annunciator.Type is "log" or "gpio", "Annunciator:Type", annunciator.Type, "log or gpio");
        _ = QuietHoursOf(annunciator);
        var used = new Dictionary<int, string>();
        void Pin(int pin, string key)
        {
            Require(pin is >= 2 and <= 27, key, pin, "a BCM GPIO number 2-27");
            Require(used.TryAdd(pin, key), key, pin, $"a pin not already used by {used.GetValueOrDefault(pin)}");
        }

        if (annunciator.Type == "gpio")
        {
            Pin(annunciator.RedPin, "Annunciator:RedPin");
            Pin(annunciator.YellowPin, "Annunciator:YellowPin");
            Pin(annunciator.BuzzerPin, "Annunciator:BuzzerPin");
        }

        // Pins that devices use (their defaults when not set) take part in the same check.
        for (var i = 0; i < options.Devices.Count; i++)
        {
            var device = options.Devices[i];
            var pins = device.Type.ToLowerInvariant() switch
            {
                DeviceTypes.Ads1115Ecg => new[] { ("LeadOffPlusPin", 23), ("LeadOffMinusPin", 24) },
                DeviceTypes.Hx711Scale => [("DataPin", 5), ("ClockPin", 6)],
                _ => [],
            };
            foreach (var (key, fallback) in pins)
            {
                var text = device.Settings.TryGetValue(key, out var value) ? value : null;
                var pin = text is null ? fallback
                    : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed
                    : -1;
                Pin(pin, $"Devices:{i}:{key}");
            }
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.NurseCall.Count; i++)
        {
            var button = options.NurseCall[i];
            Require(!string.IsNullOrWhiteSpace(button.Id) && ids.Add(button.Id), $"NurseCall:{i}:Id", button.Id, "a unique, non-empty button id");
            Pin(button.Pin, $"NurseCall:{i}:Pin");
        }
    }

    /// <summary>HL7 listeners: settings readable, and no two on the same port.</summary>
    private static void ValidateNetwork(DriverOptions options)
    {
        var ports = new Dictionary<int, string>();
        for (var i = 0; i < options.Devices.Count; i++)
        {
            var device = options.Devices[i];
            if (string.Equals(device.Type, DeviceTypes.Hl7Mllp, StringComparison.OrdinalIgnoreCase))
            {
                var settings = Hl7MllpConfiguration.Read(device);
                Require(ports.TryAdd(settings.Port, device.Id), $"Devices:{i}:Port", settings.Port, $"a port not already used by {ports.GetValueOrDefault(settings.Port)}");
            }
        }
    }

    private static void ReadSimulation(IConfigurationSection section, SimulationOptions sim)
    {
        sim.Beds = ReadInt(section, "Beds") ?? sim.Beds;
        sim.Scenario = section["Scenario"] ?? sim.Scenario;
        sim.Seed = ReadLong(section, "Seed") ?? sim.Seed;
        sim.EcgRateHz = ReadDouble(section, "EcgRateHz") ?? sim.EcgRateHz;
        sim.PlethRateHz = ReadDouble(section, "PlethRateHz") ?? sim.PlethRateHz;
        sim.Speed = ReadDouble(section, "Speed") ?? sim.Speed;
        sim.WakeIntervalMs = ReadInt(section, "WakeIntervalMs") ?? sim.WakeIntervalMs;
        sim.DeviceIdPrefix = section["DeviceIdPrefix"] ?? sim.DeviceIdPrefix;
        foreach (var bed in section.GetSection("BedScenarios").GetChildren())
        {
            if (!int.TryParse(bed.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                throw new DriverConfigurationException($"Simulation:BedScenarios:{bed.Key}: the key must be a bed number (1-based), e.g. Simulation:BedScenarios:2.");
            }

            sim.BedScenarios[number] = bed.Value ?? "";
        }
    }

    private static DeviceOptions ReadDevice(IConfigurationSection entry)
    {
        // For a network device Address is an IP address; for a Bluetooth device a MAC, and Bus a D-Bus
        // address. Neither is an I2C number: they stay settings.
        var network = string.Equals(entry["Type"], DeviceTypes.Hl7Mllp, StringComparison.OrdinalIgnoreCase);
        var ble = string.Equals(entry["Type"], DeviceTypes.BleGatt, StringComparison.OrdinalIgnoreCase);
        var device = new DeviceOptions
        {
            Type = entry["Type"] ?? "",
            Id = entry["Id"] ?? "",
            Bus = ble ? 1 : ReadInt(entry, "Bus") ?? 1,
            Address = network || ble ? null : ReadAddress(entry),
        };
        foreach (var setting in entry.AsEnumerable(makePathsRelative: true))
        {
            var keptAsSetting = ((network || ble) && setting.Key.Equals("Address", StringComparison.OrdinalIgnoreCase))
                || (ble && setting.Key.Equals("Bus", StringComparison.OrdinalIgnoreCase));
            if (setting.Value is not null && (!DeviceKeys.Contains(setting.Key) || keptAsSetting))
            {
                device.Settings[setting.Key] = setting.Value;
            }
        }

        return device;
    }

    private static int? ReadAddress(IConfigurationSection entry)
    {
        var text = entry["Address"];
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var ok = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? int.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value)
            : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
        return ok ? value : throw Bad(entry.Path + ":Address", text, "an I2C address like 0x57 or 87");
    }

    private static int? ReadInt(IConfigurationSection section, string key) =>
        section[key] is { } text
            ? int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : throw Bad(section.Path + ":" + key, text, "an integer")
            : null;

    private static long? ReadLong(IConfigurationSection section, string key) =>
        section[key] is { } text
            ? long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : throw Bad(section.Path + ":" + key, text, "an integer")
            : null;

    private static double? ReadDouble(IConfigurationSection section, string key) =>
        section[key] is { } text
            ? double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) ? value : throw Bad(section.Path + ":" + key, text, "a number")
            : null;

    /// <summary>The annunciator's quiet hours (the home alarm policy), null when none; a bad value is a configuration error naming the key.</summary>
    public static QuietHours? QuietHoursOf(AnnunciatorOptions annunciator)
    {
        ArgumentNullException.ThrowIfNull(annunciator);
        try
        {
            return QuietHours.Parse(annunciator.QuietHours, annunciator.TimeZone);
        }
        catch (FormatException ex)
        {
            throw new DriverConfigurationException($"Annunciator:{(ex.InnerException is null ? "QuietHours" : "TimeZone")}: {ex.Message}.");
        }
    }

    private static void Require(bool condition, string key, object? value, string allowed)
    {
        if (!condition)
        {
            throw Bad(key, value, allowed);
        }
    }

    private static DriverConfigurationException Bad(string key, object? value, string allowed) =>
        new($"{key}: '{Convert.ToString(value, CultureInfo.InvariantCulture)}' is not valid; expected {allowed}.");
}
