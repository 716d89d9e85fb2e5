namespace EdgeTwin.Ingest.Access;

using System.Net;
using EdgeTwin.Ingest.Options;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

/// <summary>
/// Plain HTTP only on loopback (issue 14): tokens and patient data never cross a network in clear.
/// Every address the ingest would listen on (<c>--urls</c>/<c>urls</c> and
/// <c>Kestrel:Endpoints:*:Url</c>) that is <c>http://</c> on anything but a loopback address stops the
/// start (exit 78) naming it; HTTPS takes Kestrel's standard certificate settings.
/// </summary>
internal static class ListenAddresses
{
    public static void Check(IConfiguration configuration, string defaultUrl)
    {
        var urls = (configuration["urls"] is { Length: > 0 } configured ? configured : defaultUrl)
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Concat(configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).OfType<string>());
        var failures = urls.Where(IsPlainBeyondLoopback)
            .Select(url => $"'{url}' would serve tokens and patient data in plain HTTP beyond this machine: listen on https:// with a certificate (Kestrel:Certificates:Default:Path and :KeyPath), or on http://127.0.0.1 behind a TLS proxy.")
            .ToList();
        if (failures.Count > 0)
        {
            throw new OptionsValidationException("urls", typeof(IngestOptions), failures);
        }
    }

    public static bool IsPlainBeyondLoopback(string url)
    {
        if (!url.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            return false; // https (Kestrel refuses it without a certificate), or not a URL Kestrel takes
        }

        var rest = url["http://".Length..];
        var end = rest.IndexOfAny(['/', '?']);
        var authority = end < 0 ? rest : rest[..end];
        var host = authority.StartsWith('[') ? authority[1..Math.Max(1, authority.IndexOf(']', StringComparison.Ordinal))]
            : authority.Split(':')[0];
        return !(host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip)));
    }
}
