namespace EdgeTwin.Integration.Tests.Support;

using System.Globalization;
using System.Text.RegularExpressions;

/// <summary>
/// A <c>/metrics</c> scrape read by the rules of the Prometheus text format: every sample belongs to
/// a family declared by <c># HELP</c> and <c># TYPE</c> before it, once each; values are numbers.
/// Shared by the gateway's and the ingest's metrics tests.
/// </summary>
public static partial class PrometheusScrape
{
    private static readonly HashSet<string> Types = ["counter", "gauge", "histogram", "summary", "untyped"];

    /// <summary>One scrape of <c>/metrics</c> with <paramref name="http"/>'s headers, checked by <see cref="Parse"/>; null while the service does not answer 200.</summary>
    public static async Task<Dictionary<string, double>?> ScrapeAsync(HttpClient http)
    {
        string text;
        try
        {
            text = await http.GetStringAsync("/metrics");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return null;
        }

        return Parse(text);
    }

    /// <summary>
    /// The samples of <paramref name="text"/>, checked line by line (an assertion fails on the first
    /// line out of the rules), keyed by name and labels with the exporter's scope label left out.
    /// </summary>
    public static Dictionary<string, double> Parse(string text)
    {
        var help = new HashSet<string>();
        var type = new Dictionary<string, string>();
        var samples = new Dictionary<string, double>();
        foreach (var line in text.Split('\n').Where(l => l.Length > 0))
        {
            if (Comment().Match(line) is { Success: true } c)
            {
                var family = c.Groups["name"].Value;
                Assert.True(c.Groups["what"].Value == "HELP" ? help.Add(family) : type.TryAdd(family, c.Groups["rest"].Value), $"declared twice: {line}");
                Assert.True(c.Groups["what"].Value == "HELP" || Types.Contains(c.Groups["rest"].Value), $"unknown type: {line}");
                continue;
            }

            var sample = Sample().Match(line);
            Assert.True(sample.Success, $"not a sample line: {line}");
            var name = sample.Groups["name"].Value;
            var owner = type.ContainsKey(name) ? name : Regex.Replace(name, "_(bucket|sum|count)$", string.Empty);
            Assert.True(help.Contains(owner) && type.ContainsKey(owner), $"no HELP and TYPE before {line}");
            var labels = Regex.Replace(sample.Groups["labels"].Value, "otel_scope_name=\"[^\"]*\",?", string.Empty);
            samples[labels is "{}" or "" ? name : $"{name}{labels}"] = double.Parse(sample.Groups["value"].Value, CultureInfo.InvariantCulture);
        }

        Assert.NotEmpty(samples);
        return samples;
    }

    [GeneratedRegex("^# (?<what>HELP|TYPE) (?<name>[a-zA-Z_:][a-zA-Z0-9_:]*) (?<rest>.*)$")]
    private static partial Regex Comment();

    [GeneratedRegex("^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?<labels>\\{([a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\]|\\\\.)*\",?)*\\})? (?<value>[-+0-9.eE]+|NaN|[+-]Inf)( -?[0-9]+)?$")]
    private static partial Regex Sample();
}
