namespace EdgeTwin.Drivers.Model;

/// <summary>Where a driver hands its samples (the gateway's bounded pipeline channel).</summary>
public interface ISampleSink
{
    ValueTask WriteAsync(Sample sample, CancellationToken cancellationToken);
}
