namespace EdgeTwin.Gateway.Access;

using System.Net;
using EdgeTwin.Gateway.Configuration;
using Microsoft.Extensions.Configuration;

/// <summary>
/// <c>Status:Url</c> may leave the box only over TLS: an address other than loopback needs
/// <c>https://</c> and Kestrel's certificate settings (<c>Kestrel:Certificates:Default:Path</c>,
/// and <c>KeyPath</c> for a PEM key), else the start is refused (exit 78). The admin token would
/// otherwise cross the ward's network in clear.
/// </summary>
internal static class StatusAddress
{
    public const string CertificateSetting = "Kestrel:Certificates:Default:Path";

    public static IEnumerable<string> Check(IConfiguration configuration)
    {
        var setting = $"{StatusOptions.Section}:{nameof(StatusOptions.Url)}";
        var urls = configuration[setting] ?? new StatusOptions().Url ?? "";
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // Kestrel's wildcards (http://*:8480, http://+:8480) are not URIs.
            var parsed = Uri.TryCreate(url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri);
            if (!parsed || uri!.Scheme is not ("http" or "https"))
            {
                yield return $"{setting} '{url}' is not an http:// or https:// address (default http://127.0.0.1:8480).";
                continue;
            }

            if (IsLoopback(uri.Host))
            {
                continue;
            }

            if (uri.Scheme != "https")
            {
                yield return $"{setting} '{url}' would serve the box's API beyond this box in clear: use a loopback address (127.0.0.1), or https:// with a certificate ({CertificateSetting} and KeyPath).";
            }
            else if (configuration[CertificateSetting] is not { Length: > 0 } certificate)
            {
                yield return $"{setting} '{url}' is https:// but {CertificateSetting} names no certificate (and KeyPath its PEM key).";
            }
            else if (!File.Exists(certificate))
            {
                yield return $"{CertificateSetting} '{Path.GetFullPath(certificate)}' does not exist.";
            }
        }
    }

    private static bool IsLoopback(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) ||
        (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
