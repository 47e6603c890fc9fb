package io.libgossip.cluster;

import io.libgossip.core.NodeView;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;

/**
 * Load-balancing {@link MemberPicker}s: round-robin, uniformly random, and the power of two choices
 * on a load value each member publishes in its metadata under {@link #LOAD_KEY}. Each follows its
 * {@link MemberSource} and picks among the members that pass its {@link MemberFilter} ({@code
 * ONLINE} ones unless the filter says otherwise); with none, {@code pick()} is empty.
 *
 * <p>Each node picks from its own view: two nodes may briefly pick among different members (one
 * still sends to a member the other already knows failed), and a published load is as old as the
 * gossip that carried it.
 */
public final class MemberPickers {
  /**
   * The metadata key of a member's load, for {@link #powerOfTwoChoices}: a decimal number, finite
   * and not negative (for instance {@code "0.75"} or {@code "12"}); lower is less loaded. A member
   * publishes it with {@code updateMetadata}. A missing value is an unknown load; a value that does
   * not parse is an unknown load too, and is counted ({@link LoadAwarePicker#unparsableLoads()}).
   */
  public static final String LOAD_KEY = "load";

  private MemberPickers() {}

  /**
   * Each member in turn, in order of id. When the members change, the turn continues from the same
   * counter over the new list, so no member is skipped for long.
   */
  public static MemberPicker roundRobin(MemberSource source, MemberFilter filter) {
    return new RoundRobin(source, filter);
  }

  /**
   * A uniformly random member, drawn from {@code random} (used under a lock, so a generator that is
   * not thread-safe such as {@code SplittableRandom} is fine).
   */
  public static MemberPicker random(
      MemberSource source, MemberFilter filter, RandomGenerator random) {
    return new RandomPicker(source, filter, random);
  }

  /**
   * The power of two choices: draws two distinct members at random and picks the one with the lower
   * load ({@link #LOAD_KEY}), the first drawn on a tie. A member whose load is unknown ranks after
   * any known load. Almost as good as asking every member for its load, at the cost of two random
   * draws, and unlike "least loaded" it does not send everyone to the same member while loads are
   * stale.
   */
  public static LoadAwarePicker powerOfTwoChoices(
      MemberSource source, MemberFilter filter, RandomGenerator random) {
    return new LoadAwarePicker(source, filter, random);
  }

  private static final class RoundRobin extends LiveMembers<List<NodeView>>
      implements MemberPicker {
    private final AtomicLong next = new AtomicLong();

    RoundRobin(MemberSource source, MemberFilter filter) {
      super(source, filter, (m, previous) -> m);
    }

    @Override
    public Optional<NodeView> pick() {
      List<NodeView> m = current().value();
      if (m.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(m.get((int) Long.remainderUnsigned(next.getAndIncrement(), m.size())));
    }
  }

  private static final class RandomPicker extends LiveMembers<List<NodeView>>
      implements MemberPicker {
    private final RandomGenerator random;

    RandomPicker(MemberSource source, MemberFilter filter, RandomGenerator random) {
      super(source, filter, (m, previous) -> m);
      this.random = Objects.requireNonNull(random, "random");
    }

    @Override
    public Optional<NodeView> pick() {
      List<NodeView> m = current().value();
      if (m.isEmpty()) {
        return Optional.empty();
      }
      int i;
      synchronized (random) {
        i = random.nextInt(m.size());
      }
      return Optional.of(m.get(i));
    }
  }

  /** The loads of a member list, parsed once per change. */
  static final class Loads {
    private final List<NodeView> members;
    private final double[] loads;

    private Loads(List<NodeView> members, double[] loads) {
      this.members = members;
      this.loads = loads;
    }

    List<NodeView> members() {
      return members;
    }

    double load(int i) {
      return loads[i];
    }

    /** Parses the loads of {@code members}, adding the values that do not parse to {@code bad}. */
    static Loads of(List<NodeView> members, AtomicLong bad) {
      double[] loads = new double[members.size()];
      for (int i = 0; i < loads.length; i++) {
        String v = members.get(i).metadata().get(LOAD_KEY);
        double load = Double.POSITIVE_INFINITY;
        if (v != null) {
          load = parse(v);
          if (Double.isNaN(load)) {
            bad.incrementAndGet();
            load = Double.POSITIVE_INFINITY;
          }
        }
        loads[i] = load;
      }
      return new Loads(members, loads);
    }

    /** The load, or NaN when it is not a finite number >= 0. */
    static double parse(String v) {
      try {
        double d = Double.parseDouble(v.trim());
        return Double.isFinite(d) && d >= 0 ? d : Double.NaN;
      } catch (NumberFormatException e) {
        return Double.NaN;
      }
    }
  }

  /**
   * The power-of-two-choices picker ({@link MemberPickers#powerOfTwoChoices}); also says how many
   * published loads it could not read.
   */
  public static final class LoadAwarePicker extends LiveMembers<Loads> implements MemberPicker {
    private final RandomGenerator random;
    private final AtomicLong unparsable;

    LoadAwarePicker(MemberSource source, MemberFilter filter, RandomGenerator random) {
      this(source, filter, random, new AtomicLong());
    }

    private LoadAwarePicker(
        MemberSource source, MemberFilter filter, RandomGenerator random, AtomicLong unparsable) {
      super(source, filter, (m, previous) -> Loads.of(m, unparsable));
      this.random = Objects.requireNonNull(random, "random");
      this.unparsable = unparsable;
    }

    @Override
    public Optional<NodeView> pick() {
      Loads l = current().value();
      int n = l.members().size();
      if (n == 0) {
        return Optional.empty();
      }
      if (n == 1) {
        return Optional.of(l.members().get(0));
      }
      int a;
      int b;
      synchronized (random) {
        a = random.nextInt(n);
        b = random.nextInt(n - 1);
      }
      if (b >= a) {
        b++; // distinct from a, uniform over the others
      }
      return Optional.of(l.members().get(l.load(b) < l.load(a) ? b : a));
    }

    /** The load {@code member} publishes, if it publishes a valid one. */
    public static Optional<Double> load(NodeView member) {
      String v = member.metadata().get(LOAD_KEY);
      if (v == null) {
        return Optional.empty();
      }
      double d = Loads.parse(v);
      return Double.isNaN(d) ? Optional.empty() : Optional.of(d);
    }

    /**
     * How many published load values did not parse (not a finite number {@code >= 0}), since
     * creation; a value is counted once each time the member list is rebuilt while it stays. Such
     * members rank as unknown load.
     */
    public long unparsableLoads() {
      return unparsable.get();
    }
  }
}
