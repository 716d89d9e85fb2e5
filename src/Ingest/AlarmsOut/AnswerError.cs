namespace EdgeTwin.Ingest.AlarmsOut;

/// <summary>The manager answered AE (application error): the message is tried again, up to the configured number of such answers.</summary>
internal sealed class AnswerError : Exception
{
    public AnswerError()
    {
    }

    public AnswerError(string message)
        : base(message)
    {
    }

    public AnswerError(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
