namespace EdgeTwin.Inference.News2;

/// <summary>A parameter left out of a NEWS2 score, and why; <see cref="LastValidAt"/> is when it was last seen valid.</summary>
public sealed record MissingParameter(News2Parameter Parameter, MissingReason Reason, DateTimeOffset? LastValidAt);
