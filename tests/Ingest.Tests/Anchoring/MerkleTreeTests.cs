namespace EdgeTwin.Ingest.Tests.Anchoring;

using EdgeTwin.Anchoring;

/// <summary>RFC 6962 hashing against the Certificate Transparency reference leaves, roots and audit paths.</summary>
public sealed class MerkleTreeTests
{
    // The reference data of the CT test suites (RFC 6962 test vectors): leaf inputs, then the root of each size 1..8.
    private static readonly string[] Data = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"];

    private static readonly string[] Roots =
    [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    private static readonly List<byte[]> Leaves = [.. Data.Select(d => MerkleTree.LeafHash(Convert.FromHexString(d)))];

    [Fact]
    public void Root_OfEachSize_IsTheReferenceRoot_AndTheEmptyTreeIsSha256OfNothing()
    {
        for (var n = 1; n <= 8; n++)
        {
            Assert.Equal(Roots[n - 1], Convert.ToHexStringLower(MerkleTree.Root(Leaves[..n])));
        }

        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Convert.ToHexStringLower(MerkleTree.Root([])));
    }

    [Theory]
    [InlineData(0, "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")]
    [InlineData(5, "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")]
    public void AuditPath_InTheTreeOfEight_IsTheReferencePath_AndVerifies(int index, params string[] expected)
    {
        var path = MerkleTree.AuditPath(Leaves, index);
        Assert.Equal(expected, path.Select(Convert.ToHexStringLower));
        Assert.True(MerkleTree.VerifyInclusion(Leaves[index], index, 8, path, Convert.FromHexString(Roots[7])));
    }

    [Fact]
    public void EveryLeafOfEverySize_Verifies_AndAWrongIndexLeafOrPathEntryDoesNot()
    {
        var many = Enumerable.Range(0, 37).Select(i => MerkleTree.LeafHash([(byte)i, (byte)(i * 7)])).ToList();
        for (var n = 1; n <= many.Count; n++)
        {
            var tree = many[..n];
            var root = MerkleTree.Root(tree);
            for (var i = 0; i < n; i++)
            {
                var path = MerkleTree.AuditPath(tree, i);
                Assert.True(MerkleTree.VerifyInclusion(tree[i], i, n, path, root), $"leaf {i} of {n}");
                Assert.False(MerkleTree.VerifyInclusion(tree[(i + 1) % n], i, n, path, root) && n > 1, $"another leaf at {i} of {n}");
                if (n > 1)
                {
                    Assert.False(MerkleTree.VerifyInclusion(tree[i], (i + 1) % n, n, path, root), $"index {(i + 1) % n} for leaf {i} of {n}");
                    var bent = path.Select(p => (byte[])p.Clone()).ToList();
                    bent[^1][0] ^= 1;
                    Assert.False(MerkleTree.VerifyInclusion(tree[i], i, n, bent, root), $"a changed path entry for leaf {i} of {n}");
                }
            }
        }
    }

    [Fact]
    public void VerifyInclusion_OutOfRangeOrMisshapen_IsFalse()
    {
        var root = Convert.FromHexString(Roots[7]);
        var path = MerkleTree.AuditPath(Leaves, 3);
        Assert.False(MerkleTree.VerifyInclusion(Leaves[3], -1, 8, path, root));
        Assert.False(MerkleTree.VerifyInclusion(Leaves[3], 8, 8, path, root));
        Assert.False(MerkleTree.VerifyInclusion(Leaves[3], 3, 8, [.. path, path[0]], root));
        Assert.False(MerkleTree.VerifyInclusion(Leaves[3], 3, 8, [.. path.Take(2)], root));
        Assert.False(MerkleTree.VerifyInclusion(Leaves[3], 3, 8, [[1, 2, 3], .. path.Skip(1)], root));
    }
}
