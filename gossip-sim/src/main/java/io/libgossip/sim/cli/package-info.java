/** Command-line support shared by the {@code ./gossip} programs (picocli settings, versions). */
@NullMarked
package io.libgossip.sim.cli;

import org.jspecify.annotations.NullMarked;
