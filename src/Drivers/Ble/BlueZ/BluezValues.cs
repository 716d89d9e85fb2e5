namespace EdgeTwin.Drivers.Ble.BlueZ;

using Tmds.DBus.Protocol;

/// <summary>Typed reads of BlueZ property values: a property of another type than BlueZ documents counts as absent.</summary>
internal static class BluezValues
{
    public static string? String(IReadOnlyDictionary<string, VariantValue> properties, string name) =>
        properties.TryGetValue(name, out var v) && v.Type == VariantValueType.String ? v.GetString() : null;

    /// <summary>True only for a boolean true.</summary>
    public static bool Flag(IReadOnlyDictionary<string, VariantValue> properties, string name) =>
        properties.TryGetValue(name, out var v) && v.Type == VariantValueType.Bool && v.GetBool();

    /// <summary>An integer property (RSSI is an int16), null when absent or not an integer.</summary>
    public static int? Integer(IReadOnlyDictionary<string, VariantValue> properties, string name) =>
        !properties.TryGetValue(name, out var v) ? null : v.Type switch
        {
            VariantValueType.Int16 => v.GetInt16(),
            VariantValueType.Int32 => v.GetInt32(),
            VariantValueType.UInt16 => v.GetUInt16(),
            VariantValueType.Byte => v.GetByte(),
            _ => null,
        };

    public static string[] Strings(IReadOnlyDictionary<string, VariantValue> properties, string name) =>
        properties.TryGetValue(name, out var v) && v.Type == VariantValueType.Array && v.ItemType == VariantValueType.String ? v.GetArray<string>() : [];

    /// <summary>A byte array value (a characteristic's Value), null when the value is of another type.</summary>
    public static byte[]? Bytes(VariantValue value) =>
        value.Type == VariantValueType.Array && value.ItemType == VariantValueType.Byte ? value.GetArray<byte>() : null;
}
