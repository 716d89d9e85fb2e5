namespace EdgeTwin.Gateway.Pipeline;

using System.Threading.Channels;
using EdgeTwin.Drivers.Model;

/// <summary>
/// The drivers' side of the bounded pipeline channel. When the recorder falls behind, drivers wait
/// (back-pressure) rather than samples being dropped silently.
/// </summary>
internal sealed class ChannelSampleSink(ChannelWriter<Sample> writer) : ISampleSink
{
    public ValueTask WriteAsync(Sample sample, CancellationToken cancellationToken) => writer.WriteAsync(sample, cancellationToken);
}
