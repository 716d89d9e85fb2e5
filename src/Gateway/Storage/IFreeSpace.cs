namespace EdgeTwin.Gateway.Storage;

/// <summary>How full the filesystem holding a directory is (tests inject their own).</summary>
internal interface IFreeSpace
{
    /// <summary>The filesystem of <paramref name="directory"/>; null when it cannot be measured.</summary>
    FilesystemSpace? Measure(string directory);
}
