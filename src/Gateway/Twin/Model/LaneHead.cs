namespace EdgeTwin.Gateway.Twin.Model;

/// <summary>Head of one chain (PROTOCOL §6 <c>heads</c>): the last record written.</summary>
internal sealed record LaneHead(string Epoch, long Seq, string Hash);
