package io.libgossip.examples;

import io.libgossip.net.Keyring;
import io.libgossip.net.KeyringFile;
import io.libgossip.net.KeyringMode;
import io.libgossip.sim.cli.CommandLines;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./gossip keygen}: makes a new random AES-256 key for a keyring, printed in base64 on
 * stdout or written as a new keyring file readable by its owner only.
 *
 * <pre>
 * ./gossip keygen                     # prints one key (44 characters of base64)
 * ./gossip keygen --out keys.txt      # a new keyring file with that key, mode 600
 * </pre>
 *
 * <p>Exit status: 0 ok, 1 when the file cannot be written (it exists already, or I/O), 2 for bad
 * arguments.
 */
public final class KeygenMain {
  private final PrintStream out;
  private final PrintStream err;

  /** The command line. */
  @Command(
      name = "gossip keygen",
      mixinStandardHelpOptions = true,
      versionProvider = CommandLines.VersionProvider.class,
      sortOptions = false,
      usageHelpWidth = 100,
      customSynopsis = "./gossip keygen [--out FILE [--mode MODE]]",
      description = {
        "",
        "Makes a new random AES-256 key (java.security.SecureRandom) for a keyring.",
        "Without --out it prints the key in base64 on stdout, one line, for adding to a file.",
        ""
      },
      footer = {
        "",
        "Examples:",
        "  ./gossip keygen --out keys.txt",
        "  ./gossip node --bind 127.0.0.1:7946 --keyring keys.txt",
        "  ./gossip keygen >> keys.txt      # a second key, accepted but not primary",
        "",
        CommandLines.EXIT_CODES
      })
  static final class Options implements Callable<Integer> {
    private final @Nullable KeygenMain main;
    @Spec @Nullable CommandSpec spec;

    @Option(
        names = "--out",
        paramLabel = "FILE",
        description = "write a new keyring file (never overwritten), readable by its owner only")
    @Nullable Path file;

    KeyringMode mode = KeyringMode.REQUIRED;

    Options(@Nullable KeygenMain main) {
      this.main = main;
    }

    @Option(
        names = "--mode",
        paramLabel = "MODE",
        description = "the file's mode line: send-plaintext, send-sealed or required (default)")
    void mode(String v) {
      try {
        mode = KeyringMode.parse(v);
      } catch (IllegalArgumentException e) {
        throw CommandLines.usage(spec, "--mode: " + e.getMessage());
      }
    }

    @Override
    public Integer call() {
      return Objects.requireNonNull(main, "main").generate(this);
    }
  }

  KeygenMain(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  /** Runs the command; see the class comment. */
  public static void main(String[] args) {
    int status = new KeygenMain(System.out, System.err).run(args);
    System.out.flush();
    System.exit(status);
  }

  /** Parses {@code args} and runs; returns the exit status. */
  int run(String[] args) {
    String[] a = args.length == 1 && args[0].equals("help") ? new String[] {"--help"} : args;
    return CommandLines.commandLine(new Options(this), out, err).execute(a);
  }

  private int generate(Options o) {
    byte[] key = Keyring.generateKey();
    Path file = o.file;
    if (file == null) {
      out.println(Keyring.encodeKey(key));
      out.flush();
      return 0;
    }
    try {
      KeyringFile.create(file, KeyringFile.format(List.of(key), o.mode));
    } catch (FileAlreadyExistsException e) {
      err.println("gossip keygen: " + file + " exists; a keyring file is never overwritten");
      return 1;
    } catch (IOException e) {
      err.println("gossip keygen: cannot write " + file + ": " + e);
      return 1;
    }
    out.println(
        "wrote " + file + " (key id " + Keyring.keyId(key) + ", mode " + o.mode.spelling() + ")");
    return 0;
  }
}
