using Gateway.FuzzTests.Engine;
using Gateway.FuzzTests.Targets;

[assembly: CollectionBehavior(DisableTestParallelization = true)] // allocation is measured per input: nothing else may run beside

namespace Gateway.FuzzTests;

/// <summary>
/// Issue 14, "Fuzzing in CI": every parser that takes bytes from outside, fed mutated inputs with a fixed seed. In the
/// suite each target runs a fixed number of inputs (together well under 60 s on a loaded 2-core machine); with
/// <c>FUZZ_SECONDS</c> each runs for that long instead (docs/testing.md). A failure prints the findings with their
/// inputs; the figures of the last run of each target are in artifacts/fuzz/.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    private static readonly FuzzSettings Settings = FuzzSettings.FromEnvironment();

    [Fact]
    public void The_protocol_parser_answers_any_bytes_with_a_message_or_a_typed_error() => Fuzz(new MessageParserTarget(), 10_000);

    [Fact]
    public void The_command_path_parse_canonicalize_verify_fails_only_with_format_errors() => Fuzz(new CommandSigningTarget(), 5_000);

    [Fact]
    public void The_command_pipeline_answers_every_command_with_one_result_carrying_its_id_and_a_documented_code()
    {
        using var target = new CommandPipelineTarget();
        Fuzz(target, 3_000);
    }

    [Fact]
    public void The_mqtt_decoder_gives_packets_or_a_protocol_violation() => Fuzz(new MqttDecoderTarget(), 4_000);

    [Fact]
    public void The_remote_board_client_reads_any_reply_as_a_response_or_invalid_data() => Fuzz(new RemoteClientTarget(), 5_000);

    [Fact]
    public void The_firmware_sim_server_answers_every_request_line_and_keeps_the_connection()
    {
        using var target = new RemoteServerTarget();
        Fuzz(target, 2_000);
    }

    [Fact]
    public void The_web_console_api_answers_any_body_with_2xx_or_4xx_json_and_stays_up()
    {
        using var target = new WebConsoleTarget();
        Fuzz(target, 300);
    }

    private void Fuzz(IFuzzTarget target, long count)
    {
        if (!Settings.Runs(target.Name))
        {
            output.WriteLine($"{target.Name}: not run (FUZZ_TARGET={Settings.OnlyTarget})");
            return;
        }

        var report = FuzzRunner.Run(target, Settings, count);
        output.WriteLine(report.ToString());
        Assert.True(report.Findings.Count == 0, report.ToString());
    }
}
