using System.CommandLine;

namespace Gateway.Console.Cli;

/// <summary>
/// <c>gwctl completion bash</c>: a shell function that completes gwctl's verbs and options by asking gwctl itself
/// (System.CommandLine's <c>[suggest:&lt;position&gt;]</c> directive), so it is never out of step with the binary.
/// Install it with <c>source &lt;(gwctl completion bash)</c> in <c>~/.bashrc</c>, or into
/// <c>/etc/bash_completion.d/gwctl</c>; zsh takes the same script after <c>autoload -U bashcompinit &amp;&amp; bashcompinit</c>.
/// </summary>
internal static class CompletionVerb
{
    /// <summary>The bash script (also what zsh's bashcompinit takes).</summary>
    public const string Bash = """
        # gwctl completion for bash (and zsh with: autoload -U bashcompinit && bashcompinit). Made by: gwctl completion bash
        _gwctl_complete() {
          local IFS=$'\n'
          local candidates
          candidates=$(command gwctl "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null) || return 0
          COMPREPLY=( $(compgen -W "${candidates}" -- "${COMP_WORDS[COMP_CWORD]}") )
        }
        complete -o default -F _gwctl_complete gwctl

        """;

    public static Command Build(Option<ColorMode> color, Func<ColorMode, Terminal> terminals)
    {
        var shell = new Argument<string>("shell") { Description = "the shell: bash (zsh: the same, through bashcompinit)" };
        shell.AcceptOnlyFromAmong("bash", "zsh");
        var command = new Command("completion", "print the shell completion script: source <(gwctl completion bash)") { shell };
        command.SetAction((parse, _) =>
        {
            var terminal = terminals(parse.GetValue(color));
            return GwctlCli.Guard(terminal, async () =>
            {
                var script = parse.GetValue(shell) == "zsh" ? "autoload -U +X bashcompinit && bashcompinit\n" + Bash : Bash;
                await terminal.OutWriter.WriteAsync(script).ConfigureAwait(false);
                return ExitCodes.Ok;
            });
        });
        return command;
    }
}
