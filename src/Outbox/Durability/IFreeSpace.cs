namespace EdgeTwin.Outbox.Durability;

/// <summary>How full the filesystem holding a directory is (tests inject their own).</summary>
public interface IFreeSpace
{
    /// <summary>The filesystem of <paramref name="directory"/>; null when it cannot be measured.</summary>
    FilesystemSpace? Measure(string directory);
}
