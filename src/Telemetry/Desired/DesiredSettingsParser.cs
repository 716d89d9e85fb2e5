namespace EdgeTwin.Telemetry.Desired;

using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

/// <summary>
/// Reads a desired document's <c>state</c> into <see cref="DesiredSettings"/>, strictly: an unknown
/// member, a wrong type or a value out of range refuses the whole document, because a setting the
/// box silently ignored would leave the operator believing it was in force. Reasons are
/// <c>unknown-setting:&lt;path&gt;</c>, <c>invalid-value:&lt;path&gt;</c>, <c>out-of-range:&lt;path&gt; (allowed ...)</c>.
/// </summary>
public static class DesiredSettingsParser
{
    // The checkpoint cadence a desired document may set (PROTOCOL §5): from every record to 100 000, 10 ms to 10 min.
    private const int MinCheckpointRecords = 1;
    private const int MaxCheckpointRecords = 100_000;
    private const long MinCheckpointDelayMs = 10;
    private const long MaxCheckpointDelayMs = 600_000;

    private const int MaxBindings = 64;

    // RFC 3339 with an explicit offset ("Z" or "+01:00"); a time without a zone is ambiguous on a ward.
    private static readonly string[] Rfc3339Formats =
        ["yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", "yyyy-MM-dd'T'HH:mm:sszzz", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz"];

    public static bool TryParse(JsonObject state, out DesiredSettings? settings, out string? problem)
    {
        try
        {
            settings = Parse(state);
            problem = null;
            return true;
        }
        catch (DesiredSchemaException e)
        {
            settings = null;
            problem = e.Message;
            return false;
        }
    }

    private static DesiredSettings Parse(JsonObject state)
    {
        var devices = ImmutableSortedDictionary<string, DeviceChange>.Empty.WithComparers(StringComparer.Ordinal);
        var thresholds = ImmutableSortedDictionary<string, double>.Empty.WithComparers(StringComparer.Ordinal);
        var consent = ImmutableSortedDictionary<string, ImmutableSortedDictionary<StreamClass, bool>>.Empty.WithComparers(StringComparer.Ordinal);
        var bindings = ImmutableArray<DesiredBinding>.Empty;
        var hypercapnic = DesiredSettings.None.Hypercapnic;
        int? maxRecords = null;
        TimeSpan? maxDelay = null;
        long? telemetryQuota = null;

        foreach (var (name, node) in state)
        {
            switch (name)
            {
                case "devices":
                    devices = ParseDevices(Object(node, "devices"));
                    break;
                case "alarms":
                    thresholds = ParseAlarms(Object(node, "alarms"));
                    break;
                case "checkpoint":
                    foreach (var (member, value) in Object(node, "checkpoint"))
                    {
                        var path = "checkpoint." + member;
                        switch (member)
                        {
                            case "maxRecords":
                                maxRecords = (int)Range(Integer(value, path), MinCheckpointRecords, MaxCheckpointRecords, path);
                                break;
                            case "maxDelayMs":
                                maxDelay = TimeSpan.FromMilliseconds(Range(
                                    Integer(value, path), MinCheckpointDelayMs, MaxCheckpointDelayMs, path));
                                break;
                            default:
                                throw Unknown(path);
                        }
                    }

                    break;
                case "quotas":
                    foreach (var (member, value) in Object(node, "quotas"))
                    {
                        var path = "quotas." + member;
                        switch (member)
                        {
                            case "telemetryMaxBytes":
                                telemetryQuota = Range(Integer(value, path), QuotaSettings.TelemetryMin, QuotaSettings.TelemetryMax, path);
                                break;
                            default:
                                throw Unknown(path);
                        }
                    }

                    break;
                case "consent":
                    consent = ParseConsent(Object(node, "consent"));
                    break;
                case "bindings":
                    bindings = ParseBindings(node);
                    break;
                case "patients":
                    hypercapnic = ParsePatients(Object(node, "patients"));
                    break;
                default:
                    throw Unknown(name);
            }
        }

        return new DesiredSettings(devices, thresholds, maxRecords, maxDelay, telemetryQuota, consent, bindings, hypercapnic);
    }

    private static ImmutableSortedDictionary<string, DeviceChange> ParseDevices(JsonObject devices)
    {
        var result = ImmutableSortedDictionary.CreateBuilder<string, DeviceChange>(StringComparer.Ordinal);
        foreach (var (deviceId, node) in devices)
        {
            var path = "devices." + deviceId;
            bool? enabled = null;
            var rates = ImmutableSortedDictionary.CreateBuilder<string, double>(StringComparer.Ordinal);
            foreach (var (member, value) in Object(node, path))
            {
                switch (member)
                {
                    case "enabled":
                        enabled = Boolean(value, path + ".enabled");
                        break;
                    case "sampleRates":
                        foreach (var (code, rate) in Object(value, path + ".sampleRates"))
                        {
                            var ratePath = $"{path}.sampleRates.{code}";
                            var hz = Number(rate, ratePath);
                            if (hz is not (> 0 and <= DeviceSettings.MaxSampleRateHz))
                            {
                                throw OutOfRange(ratePath, string.Create(CultureInfo.InvariantCulture, $"above 0 up to {DeviceSettings.MaxSampleRateHz} Hz"));
                            }

                            rates[code] = hz;
                        }

                        break;
                    default:
                        throw Unknown($"{path}.{member}");
                }
            }

            result[deviceId] = new DeviceChange(enabled, rates.ToImmutable());
        }

        return result.ToImmutable();
    }

    private static ImmutableSortedDictionary<string, double> ParseAlarms(JsonObject alarms)
    {
        var result = ImmutableSortedDictionary.CreateBuilder<string, double>(StringComparer.Ordinal);
        foreach (var (member, value) in alarms)
        {
            if (member != "thresholds")
            {
                throw Unknown("alarms." + member);
            }

            foreach (var (name, limit) in Object(value, "alarms.thresholds"))
            {
                var path = "alarms.thresholds." + name;
                if (!ThresholdCatalog.Names.Contains(name, StringComparer.Ordinal))
                {
                    throw Unknown(path);
                }

                var number = Number(limit, path);
                if (ThresholdCatalog.Check(name, number) is not null)
                {
                    var (min, max) = ThresholdCatalog.Range(name);
                    throw OutOfRange(path, string.Create(CultureInfo.InvariantCulture, $"{min} to {max}"));
                }

                result[name] = number;
            }
        }

        return result.ToImmutable();
    }

    private static ImmutableSortedDictionary<string, ImmutableSortedDictionary<StreamClass, bool>> ParseConsent(JsonObject consent)
    {
        var result = ImmutableSortedDictionary.CreateBuilder<string, ImmutableSortedDictionary<StreamClass, bool>>(StringComparer.Ordinal);
        var index = 0;
        foreach (var (hospitalId, node) in consent)
        {
            // The reason is published: name the entry by position, never by the clear identifier.
            var path = $"consent[{index++}]";
            if (HospitalId.Check(hospitalId) is not null)
            {
                throw Invalid(path);
            }

            var grants = ImmutableSortedDictionary.CreateBuilder<StreamClass, bool>();
            foreach (var (className, value) in Object(node, path))
            {
                if (!StreamClassNames.TryParse(className, out var streamClass))
                {
                    throw Unknown($"{path}.{className}");
                }

                grants[streamClass] = Boolean(value, $"{path}.{className}");
            }

            result[hospitalId] = grants.ToImmutable();
        }

        return result.ToImmutable();
    }

    /// <summary>
    /// Clinical flags per patient, keyed like consent by hospital identifier and named in reasons by
    /// position. Only <c>hypercapnic</c> (SpO2 scale 2 for NEWS2) exists; a patient left out keeps
    /// their flag.
    /// </summary>
    private static ImmutableSortedDictionary<string, bool> ParsePatients(JsonObject patients)
    {
        var result = ImmutableSortedDictionary.CreateBuilder<string, bool>(StringComparer.Ordinal);
        var index = 0;
        foreach (var (hospitalId, node) in patients)
        {
            var path = $"patients[{index++}]";
            if (HospitalId.Check(hospitalId) is not null)
            {
                throw Invalid(path);
            }

            foreach (var (member, value) in Object(node, path))
            {
                result[hospitalId] = member switch
                {
                    "hypercapnic" => Boolean(value, $"{path}.hypercapnic"),
                    _ => throw Unknown($"{path}.{member}"),
                };
            }
        }

        return result.ToImmutable();
    }

    private static ImmutableArray<DesiredBinding> ParseBindings(JsonNode? node)
    {
        if (node is not JsonArray array)
        {
            throw Invalid("bindings");
        }

        if (array.Count > MaxBindings)
        {
            throw OutOfRange("bindings", string.Create(CultureInfo.InvariantCulture, $"at most {MaxBindings}"));
        }

        var result = ImmutableArray.CreateBuilder<DesiredBinding>(array.Count);
        for (var i = 0; i < array.Count; i++)
        {
            var path = $"bindings[{i}]";
            BindingAction? action = null;
            string? patient = null, bed = null;
            var devices = ImmutableArray<string>.Empty;
            DateTimeOffset? at = null;
            foreach (var (member, value) in Object(array[i], path))
            {
                var memberPath = $"{path}.{member}";
                switch (member)
                {
                    case "action":
                        action = String(value, memberPath) switch
                        {
                            "admit" => BindingAction.Admit,
                            "transfer" => BindingAction.Transfer,
                            "discharge" => BindingAction.Discharge,
                            _ => throw Invalid(memberPath),
                        };
                        break;
                    case "patient":
                        patient = String(value, memberPath);
                        if (HospitalId.Check(patient) is not null)
                        {
                            throw Invalid(memberPath);
                        }

                        break;
                    case "bed":
                        bed = String(value, memberPath);
                        if (!TwinNames.IsValidName(bed))
                        {
                            throw Invalid(memberPath);
                        }

                        break;
                    case "devices":
                        devices = Strings(value, memberPath);
                        break;
                    case "at":
                        at = Timestamp(value, memberPath);
                        break;
                    default:
                        throw Unknown(memberPath);
                }
            }

            if (action is null || patient is null)
            {
                throw Invalid(path + (action is null ? ".action" : ".patient"));
            }

            var moves = action is BindingAction.Admit or BindingAction.Transfer;
            if (moves && (bed is null || devices.IsEmpty))
            {
                throw Invalid(path + (bed is null ? ".bed" : ".devices"));
            }

            if (!moves && (bed is not null || !devices.IsEmpty))
            {
                throw Invalid(path + (bed is not null ? ".bed" : ".devices"));
            }

            result.Add(new DesiredBinding(action.Value, patient, bed, devices, at));
        }

        return result.MoveToImmutable();
    }

    private static JsonObject Object(JsonNode? node, string path) => node as JsonObject ?? throw Invalid(path);

    private static bool Boolean(JsonNode? node, string path) =>
        node?.GetValueKind() switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Invalid(path),
        };

    private static double Number(JsonNode? node, string path) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<double>(out var number) && double.IsFinite(number)
            ? number
            : throw Invalid(path);

    private static long Integer(JsonNode? node, string path) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<long>(out var number)
            ? number
            : throw Invalid(path);

    private static string String(JsonNode? node, string path) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : throw Invalid(path);

    private static ImmutableArray<string> Strings(JsonNode? node, string path)
    {
        if (node is not JsonArray array || array.Count == 0)
        {
            throw Invalid(path);
        }

        var result = ImmutableArray.CreateBuilder<string>(array.Count);
        foreach (var item in array)
        {
            var text = String(item, path);
            if (result.Contains(text))
            {
                throw Invalid(path);
            }

            result.Add(text);
        }

        return result.MoveToImmutable();
    }

    private static DateTimeOffset Timestamp(JsonNode? node, string path) =>
        DateTimeOffset.TryParseExact(String(node, path), Rfc3339Formats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
            ? at
            : throw Invalid(path);

    private static long Range(long value, long min, long max, string path) =>
        value >= min && value <= max ? value : throw OutOfRange(path, string.Create(CultureInfo.InvariantCulture, $"{min} to {max}"));

    private static DesiredSchemaException Unknown(string path) => new("unknown-setting:" + path);

    private static DesiredSchemaException Invalid(string path) => new("invalid-value:" + path);

    /// <summary><c>out-of-range:&lt;path&gt; (allowed ...)</c>: the operator sees what would have been accepted.</summary>
    private static DesiredSchemaException OutOfRange(string path, string allowed) => new($"out-of-range:{path} (allowed {allowed})");
}
