namespace EdgeTwin.Anchoring;

using System.Numerics;
using System.Security.Cryptography;

/// <summary>
/// The Merkle tree of RFC 6962 §2.1 (RFC 9162 §2.1): leaf hash = SHA-256(0x00 ‖ data), node hash =
/// SHA-256(0x01 ‖ left ‖ right), a tree of n leaves split at the largest power of two below n. An
/// anchor's leaves are the 32-byte hashes of the checkpoint records it covers, so its leaf hashes are
/// SHA-256(0x00 ‖ checkpoint hash). Everything here takes and gives leaf hashes, never leaf data.
/// </summary>
public static class MerkleTree
{
    public const int HashSize = 32;

    public static byte[] LeafHash(ReadOnlySpan<byte> data)
    {
        var buffer = new byte[data.Length + 1];
        data.CopyTo(buffer.AsSpan(1));
        return SHA256.HashData(buffer);
    }

    /// <summary>An anchor's leaf: the leaf hash of a checkpoint record's hash (64 lowercase hex digits).</summary>
    public static byte[] CheckpointLeaf(string checkpointHash) => LeafHash(Convert.FromHexString(checkpointHash));

    public static byte[] NodeHash(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        Span<byte> buffer = stackalloc byte[1 + (2 * HashSize)];
        buffer[0] = 1;
        left.CopyTo(buffer[1..]);
        right.CopyTo(buffer[(1 + HashSize)..]);
        return SHA256.HashData(buffer);
    }

    /// <summary>The tree head of these leaf hashes; SHA-256 of nothing for no leaves (RFC 6962 §2.1).</summary>
    public static byte[] Root(IReadOnlyList<byte[]> leaves)
    {
        ArgumentNullException.ThrowIfNull(leaves);
        return leaves.Count == 0 ? SHA256.HashData([]) : Subtree(leaves, 0, leaves.Count);
    }

    /// <summary>The audit path of leaf <paramref name="index"/>, from the leaf's sibling up (RFC 6962 §2.1.1).</summary>
    public static IReadOnlyList<byte[]> AuditPath(IReadOnlyList<byte[]> leaves, int index)
    {
        ArgumentNullException.ThrowIfNull(leaves);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, leaves.Count);
        var path = new List<byte[]>();
        Path(leaves, index, 0, leaves.Count, path);
        return path;
    }

    /// <summary>
    /// Whether <paramref name="path"/> proves leaf hash <paramref name="leaf"/> at <paramref name="index"/>
    /// in a tree of <paramref name="size"/> leaves with head <paramref name="root"/> (RFC 9162 §2.1.3.2).
    /// </summary>
    public static bool VerifyInclusion(ReadOnlySpan<byte> leaf, long index, long size, IReadOnlyList<byte[]> path, ReadOnlySpan<byte> root)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (index < 0 || index >= size || leaf.Length != HashSize || root.Length != HashSize || path.Any(p => p is not { Length: HashSize }))
        {
            return false;
        }

        var fn = index;
        var sn = size - 1;
        var r = leaf.ToArray();
        foreach (var p in path)
        {
            if (sn == 0)
            {
                return false;
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                r = NodeHash(p, r);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                r = NodeHash(r, p);
            }

            fn >>= 1;
            sn >>= 1;
        }

        return sn == 0 && CryptographicOperations.FixedTimeEquals(r, root);
    }

    private static byte[] Subtree(IReadOnlyList<byte[]> leaves, int start, int count)
    {
        if (count == 1)
        {
            return leaves[start];
        }

        var k = Split(count);
        return NodeHash(Subtree(leaves, start, k), Subtree(leaves, start + k, count - k));
    }

    private static void Path(IReadOnlyList<byte[]> leaves, int index, int start, int count, List<byte[]> path)
    {
        if (count == 1)
        {
            return;
        }

        var k = Split(count);
        if (index < k)
        {
            Path(leaves, index, start, k, path);
            path.Add(Subtree(leaves, start + k, count - k));
        }
        else
        {
            Path(leaves, index - k, start + k, count - k, path);
            path.Add(Subtree(leaves, start, k));
        }
    }

    /// <summary>The largest power of two smaller than <paramref name="n"/> (n >= 2).</summary>
    private static int Split(int n) => (int)BitOperations.RoundUpToPowerOf2((uint)n) >> 1;
}
