namespace EdgeTwin.Telemetry.Tests.Verification;

using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Verification;
using Xunit;

/// <summary>The verifier's chains by key: a short array up to <see cref="ChainMap.Inline"/> chains, a dictionary from then on; held to a dictionary.</summary>
public sealed class ChainMapTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void RandomAddsAndReplacements_AnswerAsADictionary_AcrossTheSwitchToOne(int seed)
    {
        var random = new Random(seed);
        var options = new VerifierOptions();
        var keys = Enumerable.Range(0, 9).Select(i => new ChainKey($"gw-{i % 3}", i % 2 == 0 ? Lane.Telemetry : Lane.Alarm, $"epoch-{i}")).ToList();
        var map = new ChainMap();
        var expected = new Dictionary<ChainKey, ChainTracker>();
        for (var step = 0; step < 60; step++)
        {
            var key = keys[random.Next(keys.Count)];
            var tracker = new ChainTracker(key, options, null);
            map[key] = tracker;
            expected[key] = tracker;

            Assert.Equal(expected.Count, map.Count);
            foreach (var k in keys)
            {
                Assert.Equal(expected.GetValueOrDefault(k), map.GetValueOrDefault(k));
                Assert.Equal(expected.ContainsKey(k), map.ContainsKey(k));
            }

            Assert.Equal(expected.OrderBy(e => e.Key.Epoch, StringComparer.Ordinal), map.OrderBy(e => e.Key.Epoch, StringComparer.Ordinal));
        }

        Assert.Equal(keys.Count, map.Count);
    }
}
