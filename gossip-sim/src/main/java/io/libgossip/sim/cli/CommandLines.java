package io.libgossip.sim.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * What the {@code ./gossip} programs ({@code sim}, {@code node}, {@code bench}) share on top of
 * picocli: the parser settings, the one-line error with a usage hint, the exit codes and {@code
 * --version}. Support for those command lines, not a stable API.
 */
public final class CommandLines {
  /** The exit codes, for each command's help footer. */
  public static final String EXIT_CODES =
      "Exit status: 0 ok, 1 runtime failure, 2 usage error (bad or missing option or value).";

  private CommandLines() {}

  /**
   * A command line for {@code command} printing to {@code out} and {@code err}: unknown options are
   * errors even where an option's value is expected, an option given twice keeps its last value,
   * and a usage error prints one line naming the option and the value, any suggestions and a usage
   * hint on {@code err}, and exits with 2.
   */
  public static CommandLine commandLine(Object command, PrintStream out, PrintStream err) {
    CommandLine cl = new CommandLine(command);
    cl.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
    cl.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
    cl.setUnmatchedOptionsAllowedAsOptionParameters(false);
    cl.setOverwrittenOptionsAllowed(true);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setParameterExceptionHandler(CommandLines::usageError);
    return cl;
  }

  private static int usageError(ParameterException e, String[] args) {
    CommandLine cl = e.getCommandLine();
    PrintWriter err = cl.getErr();
    String name = cl.getCommandSpec().qualifiedName();
    err.println(name + ": " + e.getMessage());
    UnmatchedArgumentException.printSuggestions(e, err);
    err.println("usage: ./" + name + " [OPTIONS]; see ./" + name + " --help");
    err.flush();
    return CommandLine.ExitCode.USAGE;
  }

  /** A usage error raised by an option's setter or by a check across options. */
  public static ParameterException usage(@Nullable CommandSpec spec, String m) {
    if (spec == null) {
      throw new IllegalStateException("picocli did not inject the command spec: " + m);
    }
    return new ParameterException(spec.commandLine(), m);
  }

  /** The project version, from the filtered {@code version.properties}; "unknown" without it. */
  public static String version() {
    try (InputStream in = CommandLines.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        String v = p.getProperty("version", "").trim();
        if (!v.isEmpty() && !v.startsWith("$")) {
          return v;
        }
      }
    } catch (IOException e) {
      // "unknown" below
    }
    return "unknown";
  }

  /** {@code --version}: the command, the project version, then the JVM and the OS. */
  public static final class VersionProvider implements CommandLine.IVersionProvider {
    @Spec @Nullable CommandSpec spec;

    /** Creates the provider (picocli instantiates it). */
    public VersionProvider() {}

    @Override
    public String[] getVersion() {
      String name = spec == null ? "gossip" : spec.qualifiedName();
      return new String[] {
        name + " " + version(),
        "JVM: "
            + System.getProperty("java.version")
            + " ("
            + System.getProperty("java.vendor")
            + ", "
            + System.getProperty("java.vm.name")
            + ")",
        "OS: "
            + System.getProperty("os.name")
            + " "
            + System.getProperty("os.version")
            + " "
            + System.getProperty("os.arch"),
      };
    }
  }
}
