package io.libgossip.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.time.Clock;
import java.time.InstantSource;
import java.util.Random;
import java.util.Set;
import java.util.Timer;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.NullMarked;
import org.junit.jupiter.api.Test;

/**
 * The house rules of {@code gossip-core}: a sans-IO state machine that depends on the JDK only and
 * never touches a socket, a thread, the clock, an unseeded random source or a logger.
 *
 * <p>Only the main classes are checked (test support may do as it likes).
 */
class ArchitectureTest {

  private static final String CORE = "io.libgossip.core..";

  private static final JavaClasses MAIN_CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
          .importPackages("io.libgossip.core");

  @Test
  void importFindsTheMainClasses() {
    assertThat(MAIN_CLASSES.contain(GossipCore.class)).isTrue();
    assertThat(MAIN_CLASSES.contain(ArchitectureTest.class)).isFalse();
  }

  @Test
  void coreDependsOnTheJdkOnly() {
    classes()
        .that()
        .resideInAPackage(CORE)
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(
            "java..",
            CORE,
            // JSpecify's nullness annotations: the core's one dependency, a few annotation types.
            "org.jspecify.annotations..")
        .because(
            "gossip-core is an embeddable library with no dependencies but the JDK and JSpecify")
        .check(MAIN_CLASSES);
  }

  @Test
  void everyPackageIsNullMarked() {
    Set<String> packages = new TreeSet<>();
    MAIN_CLASSES.forEach(c -> packages.add(c.getPackageName()));
    assertThat(packages)
        .isNotEmpty()
        .allSatisfy(
            name ->
                assertThat(MAIN_CLASSES.getPackage(name).isAnnotatedWith(NullMarked.class))
                    .as("package %s has a package-info.java annotated @NullMarked", name)
                    .isTrue());
  }

  @Test
  void coreDoesNoNetworkIo() {
    noClasses()
        .that()
        .resideInAPackage(CORE)
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("java.net..", "java.nio.channels..")
        .because("the core is sans-IO: it hands messages to an Outbox and the runtime sends them")
        .check(MAIN_CLASSES);
  }

  @Test
  void coreStartsNoThreads() {
    noClasses()
        .that()
        .resideInAPackage(CORE)
        .should()
        .dependOnClassesThat()
        .areAssignableTo(Thread.class)
        .orShould()
        .dependOnClassesThat()
        .areAssignableTo(Executor.class)
        .orShould()
        .dependOnClassesThat()
        .areAssignableTo(ExecutorService.class)
        .orShould()
        .dependOnClassesThat()
        .areAssignableTo(ScheduledExecutorService.class)
        .orShould()
        .dependOnClassesThat()
        .areAssignableTo(ThreadFactory.class)
        .orShould()
        .dependOnClassesThat()
        .areAssignableTo(ForkJoinPool.class)
        .orShould()
        .dependOnClassesThat()
        .areAssignableTo(CompletableFuture.class)
        .orShould()
        .dependOnClassesThat()
        .areAssignableTo(Timer.class)
        .because(
            "the core is single-threaded by contract and runs in someone else's loop; timers are"
                + " deadlines driven by tick(now)")
        .check(MAIN_CLASSES);
  }

  @Test
  void coreUsesOnlyTheInjectedRandomGenerator() {
    noClasses()
        .that()
        .resideInAPackage(CORE)
        .should()
        .dependOnClassesThat()
        .areAssignableTo(Random.class) // also SecureRandom
        .orShould()
        .dependOnClassesThat()
        .areAssignableTo(ThreadLocalRandom.class)
        .orShould()
        .callMethod(Math.class, "random")
        .orShould()
        .callMethod(UUID.class, "randomUUID")
        .because(
            "randomness comes only from the injected RandomGenerator, so that the same seed and"
                + " inputs give the same outputs")
        .check(MAIN_CLASSES);
  }

  @Test
  void coreNeverReadsTheClock() {
    noClasses()
        .that()
        .resideInAPackage(CORE)
        .should()
        .callMethod(System.class, "currentTimeMillis")
        .orShould()
        .callMethod(System.class, "nanoTime")
        .orShould()
        .callMethodWhere(javaTimeNow())
        .orShould()
        .dependOnClassesThat()
        .areAssignableTo(Clock.class)
        .orShould()
        .dependOnClassesThat()
        .areAssignableTo(InstantSource.class)
        .because("time is the `now` argument of every call: the simulator runs in virtual time")
        .check(MAIN_CLASSES);
  }

  @Test
  void coreLogsNothing() {
    noClasses()
        .that()
        .resideInAPackage(CORE)
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.slf4j..", "java.util.logging..", "org.apache.logging..")
        .orShould()
        .dependOnClassesThat()
        .areAssignableTo(System.Logger.class)
        .orShould()
        .accessField(System.class, "out")
        .orShould()
        .accessField(System.class, "err")
        .orShould()
        .callMethod(Throwable.class, "printStackTrace")
        .because("the core reports through events and counters; the runtime decides what to log")
        .check(MAIN_CLASSES);
  }

  /** Calls to {@code now(...)} on any {@code java.time} type ({@code Instant.now()}, ...). */
  private static DescribedPredicate<JavaMethodCall> javaTimeNow() {
    return DescribedPredicate.describe(
        "java.time.*.now(..)",
        call ->
            call.getTargetOwner().getPackageName().equals("java.time")
                && call.getTarget().getName().equals("now"));
  }
}
