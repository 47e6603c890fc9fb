package io.libgossip.agent.cli;

import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** What every command shares: the {@link OperatorCli} it prints through, {@code --help}. */
abstract class Base implements Callable<Integer> {
  final OperatorCli cli;

  @Spec @Nullable CommandSpec spec;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "show this help and exit")
  boolean help;

  Base(OperatorCli cli) {
    this.cli = cli;
  }

  /** A usage error (exit 2) with {@code message}. */
  final ParameterException usage(String message) {
    CommandSpec s = spec;
    if (s == null) {
      throw new IllegalStateException("picocli did not inject the command spec: " + message);
    }
    return new ParameterException(s.commandLine(), message);
  }

  /** The usage error of a command that needs a subcommand, one of {@code choices}. */
  final ParameterException missingCommand(String choices) {
    return usage("missing command: one of " + choices);
  }
}
