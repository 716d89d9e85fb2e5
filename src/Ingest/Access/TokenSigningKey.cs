namespace EdgeTwin.Ingest.Access;

using EdgeTwin.Ingest.Options;
using EdgeTwin.Outbox.Encryption;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

/// <summary>
/// The self-contained install's token key (<c>Ingest:Auth:SigningKeyFile</c>): 32 random bytes in a
/// 0600 file, created on first start like the other keys; a file group or others may read, or a
/// malformed one, stops the start naming the file. Not used with an identity provider.
/// </summary>
internal sealed class TokenSigningKey
{
    public TokenSigningKey(IOptions<IngestOptions> options, ILogger<TokenSigningKey> logger)
    {
        KeyFile = options.Value.SigningKeyFilePath();
        try
        {
            if (!File.Exists(KeyFile) && SecretFile.Create(KeyFile))
            {
                AccessLog.SigningKeyGenerated(logger, KeyFile);
            }

            Key = SecretFile.Read(KeyFile, "token signing key");
        }
        catch (Exception ex) when (ex is SecretFileException or IOException or UnauthorizedAccessException)
        {
            throw new OptionsValidationException(IngestOptions.Section, typeof(IngestOptions), [$"Ingest:Auth:SigningKeyFile: {ex.Message}"]);
        }

        AccessLog.SigningKey(logger, KeyFile);
    }

    public string KeyFile { get; }

    public byte[] Key { get; }
}
