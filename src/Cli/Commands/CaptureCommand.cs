namespace EdgeTwin.Cli.Commands;

using System.Buffers;
using System.CommandLine;
using System.Globalization;
using EdgeTwin.Cli.Mqtt;
using EdgeTwin.Telemetry.Capture;
using EdgeTwin.Telemetry.Wire;
using MQTTnet;
using MQTTnet.Protocol;

/// <summary>
/// <c>capture --broker mqtt://HOST:PORT --topic FILTER --seconds N</c>: subscribes at QoS 1 and writes
/// every message, retained ones included, to stdout in the capture format, for N seconds, but those
/// on the topics that never carry records (status, twin, alarm-status, receipt, resend): those are counted. On stderr: a line when subscribed, the counts every few seconds and at the end.
/// </summary>
internal static class CaptureCommand
{
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(5);

    public static Command Create(TextWriter stdout, TextWriter stderr, TimeProvider time)
    {
        var broker = new Option<string>("--broker") { Description = "mqtt://HOST[:PORT] (port 1883 by default)", Required = true };
        var topic = new Option<string>("--topic") { Description = "MQTT topic filter, e.g. edgetwin/v1/#", Required = true };
        var seconds = new Option<double>("--seconds") { Description = "how long to capture", Required = true };
        var command = new Command("capture", "capture MQTT messages to a capture file on stdout") { broker, topic, seconds };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!CliBroker.TryParse(parse.GetRequiredValue(broker), out var host, out var port))
            {
                await stderr.WriteLineAsync($"edgetwin capture: {CliBroker.Usage}").ConfigureAwait(false);
                return CliApp.Usage;
            }

            var duration = parse.GetValue(seconds);
            if (!double.IsFinite(duration) || duration <= 0 || duration > TimeSpan.FromDays(7).TotalSeconds)
            {
                await stderr.WriteLineAsync("edgetwin capture: --seconds must be a positive number of seconds").ConfigureAwait(false);
                return CliApp.Usage;
            }

            try
            {
                var (records, other) = await CaptureAsync(host, port, parse.GetRequiredValue(topic), TimeSpan.FromSeconds(duration), stdout, stderr, time, cancellationToken).ConfigureAwait(false);
                await stderr.WriteLineAsync(Counts("done", records, other)).ConfigureAwait(false);
                return CliApp.Ok;
            }
            catch (Exception e) when (CliBroker.IsBrokerProblem(e))
            {
                await stderr.WriteLineAsync($"edgetwin capture: {e.Message}").ConfigureAwait(false);
                return CliApp.Usage;
            }
        });
        return command;
    }

    /// <summary>
    /// The next wait: the progress interval or what is left, rounded up to a whole millisecond. Timers count
    /// whole milliseconds, so a wait of what is left below one would end at once, over and over, each time
    /// writing the same progress line until the end (a capture printed "10 s" 70 times).
    /// </summary>
    private static TimeSpan NextWait(TimeSpan left) =>
        TimeSpan.FromMilliseconds(Math.Ceiling((left < ProgressEvery ? left : ProgressEvery).TotalMilliseconds));

    private static string Counts(string when, long records, long other) =>
        string.Create(CultureInfo.InvariantCulture, $"edgetwin capture: {when}: {records} records, {other} messages on status, twin, alarm-status, receipt, resend and probe topics skipped");

    private static async Task<(long Records, long Other)> CaptureAsync(
        string host, int port, string filter, TimeSpan duration, TextWriter output, TextWriter progress, TimeProvider time, CancellationToken cancellationToken)
    {
        var factory = new MqttClientFactory();
        using var client = factory.CreateMqttClient();
        var gate = new object();
        long count = 0, other = 0;
        client.ApplicationMessageReceivedAsync += e =>
        {
            if (WireNames.IsOtherTopic(e.ApplicationMessage.Topic))
            {
                Interlocked.Increment(ref other);
                return Task.CompletedTask;
            }

            var payload = e.ApplicationMessage.Payload.ToArray();
            lock (gate)
            {
                CaptureFile.Write(output, e.ApplicationMessage.Topic, payload);
                count++;
            }

            return Task.CompletedTask;
        };

        await client.ConnectAsync(CliBroker.Options(host, port, "capture"), cancellationToken).ConfigureAwait(false);
        var subscription = factory.CreateSubscribeOptionsBuilder().WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce).Build();
        await client.SubscribeAsync(subscription, cancellationToken).ConfigureAwait(false);
        var started = time.GetTimestamp();
        var tick = Task.Delay(NextWait(duration), time, cancellationToken);
        await progress.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"edgetwin capture: subscribed to {filter} on {host}:{port} for {duration.TotalSeconds:0.#} s")).ConfigureAwait(false);
        try
        {
            while (true)
            {
                await tick.ConfigureAwait(false);
                var elapsed = time.GetElapsedTime(started);
                var left = duration - elapsed;
                if (left <= TimeSpan.Zero)
                {
                    break;
                }

                // The next wait starts before the line is written, so whoever reads the line may move the clock on.
                tick = Task.Delay(NextWait(left), time, cancellationToken);
                long records;
                lock (gate)
                {
                    records = count;
                }

                await progress.WriteLineAsync(Counts(string.Create(CultureInfo.InvariantCulture, $"{elapsed.TotalSeconds:0} s"), records, Interlocked.Read(ref other))).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C ends the capture early; what was captured stands.
        }

        await client.DisconnectAsync(factory.CreateClientDisconnectOptionsBuilder().Build(), CancellationToken.None).ConfigureAwait(false);
        lock (gate)
        {
            output.Flush();
            return (count, Interlocked.Read(ref other));
        }
    }
}
