namespace EdgeTwin.Drivers.Tests.Hl7;

using System.Globalization;
using System.Text.RegularExpressions;

/// <summary>
/// The vendor-shaped ORU^R01 messages of <c>tests/Drivers.Tests/Hl7/Corpus</c>, as a monitor sends
/// them (segments ended by CR). Their observations are taken at <see cref="ObservedAt"/>;
/// <see cref="Load"/> can move every timestamp of a message by the same amount, so that the real
/// gateway, whose clock refuses readings a day old, takes them as live.
/// </summary>
internal static partial class Hl7Corpus
{
    /// <summary>The instant the corpus messages were "taken" (OBX-14 20260701120005+0200).</summary>
    public static readonly DateTimeOffset ObservedAt = new(2026, 7, 1, 10, 0, 5, TimeSpan.Zero);

    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Hl7", "Corpus");

    public static IEnumerable<string> Names => System.IO.Directory.GetFiles(Directory, "*.hl7").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal)!;

    /// <summary>The message, CR-separated; with <paramref name="observedAt"/>, every timestamp moved by <c>observedAt - ObservedAt</c>.</summary>
    public static string Load(string name, DateTimeOffset? observedAt = null)
    {
        var text = File.ReadAllText(Path.Combine(Directory, name + ".hl7")).ReplaceLineEndings("\r");
        if (observedAt is not { } at)
        {
            return text;
        }

        var shift = at - ObservedAt;
        return Timestamp().Replace(text, m =>
        {
            var local = DateTime.ParseExact(m.Groups[1].Value, "yyyyMMddHHmmss", CultureInfo.InvariantCulture) + shift;
            return local.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + m.Groups[2].Value;
        });
    }

    [GeneratedRegex(@"(?<!\d)(\d{14})([+-]\d{4})?(?!\d)")]
    private static partial Regex Timestamp();
}
