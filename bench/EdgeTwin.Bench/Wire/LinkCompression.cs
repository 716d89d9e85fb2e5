namespace EdgeTwin.Bench.Wire;

using System.IO.Compression;

/// <summary>
/// What compressing the link would save on real payloads (issue 16): deflate (RFC 1951, as
/// System.IO.Compression writes it at its smallest) of each record alone, with a preset dictionary,
/// and over one context for the whole link; Brotli (its built-in dictionary) of each record alone.
/// A published record's hash would stay the SHA-256 of the bytes published, so a verifier would hash
/// the compressed bytes; these are sizes only.
/// </summary>
internal static class LinkCompression
{
    /// <summary>The most a deflate window (32 KiB) can use; zlib's <c>deflateSetDictionary</c> takes the same.</summary>
    public const int DictionaryBytes = 32 * 1024;

    public static readonly Method[] Methods =
    [
        new("deflate", (payloads, _) => payloads.Sum(p => (long)Deflate([], p))),
        new("deflate + dictionary", (payloads, dictionary) => payloads.Sum(p => (long)Deflate(dictionary, p))),
        new("deflate, one link context", (payloads, _) => Streamed(payloads)),
        new("brotli", (payloads, _) => payloads.Sum(p => (long)Brotli(p))),
    ];

    /// <summary>
    /// The last <see cref="DictionaryBytes"/> of the payloads of two training runs, half each: what
    /// records look like (envelope, names, codes, quanta), from other seeds than the measured ones.
    /// </summary>
    public static byte[] Dictionary(List<byte[]> plain, List<byte[]> compact)
    {
        var dictionary = new List<byte>(DictionaryBytes);
        foreach (var source in new[] { plain, compact })
        {
            var half = new List<byte>();
            for (var i = source.Count - 1; i >= 0 && half.Count < DictionaryBytes / 2; i--)
            {
                half.InsertRange(0, source[i]);
            }

            dictionary.AddRange(half.Skip(Math.Max(0, half.Count - (DictionaryBytes / 2))));
        }

        return [.. dictionary];
    }

    /// <summary>
    /// Deflate of <paramref name="payload"/> with <paramref name="dictionary"/> as the window's history,
    /// which is what a preset dictionary is: the dictionary is compressed and sync-flushed first, and
    /// only the bytes after that flush count.
    /// </summary>
    private static int Deflate(byte[] dictionary, byte[] payload)
    {
        using var output = new MemoryStream();
        long primed = 0;
        using (var deflate = new DeflateStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            if (dictionary.Length > 0)
            {
                deflate.Write(dictionary);
                deflate.Flush();
                primed = output.Length;
            }

            deflate.Write(payload);
        }

        return (int)(output.Length - primed);
    }

    /// <summary>One deflate context over the whole link, sync-flushed after each record (a record must leave when made).</summary>
    private static long Streamed(List<byte[]> payloads)
    {
        using var output = new MemoryStream();
        using (var deflate = new DeflateStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            foreach (var payload in payloads)
            {
                deflate.Write(payload);
                deflate.Flush();
            }
        }

        return output.Length;
    }

    private static int Brotli(byte[] payload)
    {
        var into = new byte[BrotliEncoder.GetMaxCompressedLength(payload.Length)];
        return BrotliEncoder.TryCompress(payload, into, out var written, quality: 11, window: 22) ? written : throw new InvalidOperationException("brotli: buffer too small");
    }

    internal sealed record Method(string Name, Func<List<byte[]>, byte[], long> Measure);
}
