namespace EdgeTwin.Drivers.Scheduling;

using EdgeTwin.Drivers.Model;

/// <summary>A source of samples stamped on exact grids; the pump asks it for what has come due.</summary>
internal interface IGridSource
{
    /// <summary>The time the grid starts from (sample 0 of every stream).</summary>
    DateTimeOffset Start { get; }

    /// <summary>True once the source will produce nothing more (recording ended, device lost).</summary>
    bool Finished { get; }

    /// <summary>Appends every sample stamped at or before <paramref name="until"/> not given before.</summary>
    void EmitDue(DateTimeOffset until, List<Sample> into);
}
