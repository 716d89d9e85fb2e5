namespace EdgeTwin.Drivers.Configuration;

using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using EdgeTwin.Drivers.Hl7;

/// <summary>
/// Reads an <c>hl7-mllp</c> device's TLS settings: <c>TlsCertificateFile</c> and <c>TlsKeyFile</c>
/// (PEM) turn TLS on; then a client certificate is required, from <c>TlsClientCaFile</c> (PEM CA
/// certificates, the only trust roots) and/or with a thumbprint in <c>TlsClientThumbprints</c>
/// (SHA-256 or SHA-1 hex, comma-separated). Every file is loaded here, so a bad one refuses the start.
/// </summary>
internal static class MllpTlsConfiguration
{
    public static MllpTlsSettings? Read(DeviceOptions device)
    {
        var certificateFile = device.Text("TlsCertificateFile");
        var keyFile = device.Text("TlsKeyFile");
        var caFile = device.Text("TlsClientCaFile");
        var thumbprints = device.Text("TlsClientThumbprints");
        if (certificateFile is null)
        {
            return keyFile is null && caFile is null && thumbprints is null
                ? null
                : throw device.Bad("TlsCertificateFile", "", "a PEM certificate file: the other Tls* settings need it");
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPemFile(Path.GetFullPath(certificateFile), keyFile is null ? null : Path.GetFullPath(keyFile));
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw device.Bad("TlsCertificateFile", certificateFile, $"a readable PEM certificate with its private key (TlsKeyFile): {ex.Message}");
        }

        var roots = new X509Certificate2Collection();
        if (caFile is not null)
        {
            try
            {
                roots.ImportFromPemFile(Path.GetFullPath(caFile));
            }
            catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException)
            {
                throw device.Bad("TlsClientCaFile", caFile, $"a readable PEM file of CA certificates: {ex.Message}");
            }

            if (roots.Count == 0)
            {
                throw device.Bad("TlsClientCaFile", caFile, "a PEM file holding at least one CA certificate");
            }
        }

        var pinned = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var thumbprint in (thumbprints ?? "").Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var hex = thumbprint.Replace(":", "", StringComparison.Ordinal);
            if (hex.Length is not (40 or 64) || !hex.All(Uri.IsHexDigit))
            {
                throw device.Bad("TlsClientThumbprints", thumbprint, "SHA-256 (64 hex digits) or SHA-1 (40) certificate thumbprints, comma-separated");
            }

            pinned.Add(hex.ToUpperInvariant());
        }

        if (roots.Count == 0 && pinned.Count == 0)
        {
            throw device.Bad("TlsClientCaFile", "", "a client CA file or TlsClientThumbprints: with TLS every monitor presents a client certificate");
        }

        return new MllpTlsSettings(certificate, roots, pinned);
    }
}
