namespace EdgeTwin.Drivers.Ble.BlueZ;

using Tmds.DBus.Protocol;

/// <summary>What BlueZ's GetManagedObjects lists: object path, then interface, then property and its value.</summary>
internal sealed class BluezObjects(IReadOnlyDictionary<string, IReadOnlyDictionary<string, IReadOnlyDictionary<string, VariantValue>>> paths)
{
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, IReadOnlyDictionary<string, VariantValue>>> Paths => paths;

    /// <summary>The properties of <paramref name="interface"/> on the object at <paramref name="path"/>; null when it is not there.</summary>
    public IReadOnlyDictionary<string, VariantValue>? Find(string path, string @interface) =>
        paths.TryGetValue(path, out var interfaces) && interfaces.TryGetValue(@interface, out var properties) ? properties : null;

    /// <summary>Reads the body <c>a{oa{sa{sv}}}</c>.</summary>
    public static BluezObjects Read(ref Reader reader)
    {
        var paths = new Dictionary<string, IReadOnlyDictionary<string, IReadOnlyDictionary<string, VariantValue>>>(StringComparer.Ordinal);
        var objectsEnd = reader.ReadDictionaryStart();
        while (reader.HasNext(objectsEnd))
        {
            var path = reader.ReadObjectPathAsString();
            var interfaces = new Dictionary<string, IReadOnlyDictionary<string, VariantValue>>(StringComparer.Ordinal);
            var interfacesEnd = reader.ReadDictionaryStart();
            while (reader.HasNext(interfacesEnd))
            {
                var name = reader.ReadString();
                interfaces[name] = reader.ReadDictionaryOfStringToVariantValue();
            }

            paths[path] = interfaces;
        }

        return new BluezObjects(paths);
    }
}
