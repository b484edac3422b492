package io.quiesce.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProcCpuTest {

  @Test
  void sumsUserAndSystemTicksCountedAfterTheCommandName() {
    // a command name with a space and a parenthesis must not shift the fields
    String stat =
        "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 51234 0 12 0 1234 567 0 0 20 0 41 0 99 0";
    ProcCpu cpu = ProcCpu.parse(stat);
    assertEquals(1234 + 567, cpu.ticks());
    assertEquals((1234 + 567) * 10, cpu.millis());
  }

  @Test
  void theDifferenceOfTwoReadingsIsInMilliseconds() {
    assertEquals(2500, new ProcCpu(300).millisSince(new ProcCpu(50)));
  }

  @Test
  void readsThisProcess() throws Exception {
    ProcCpu cpu = ProcCpu.of(ProcessHandle.current().pid());
    assertTrue(cpu.ticks() > 0, "a running JVM has used CPU: " + cpu);
  }

  @Test
  void refusesTextWithoutItsFields() {
    assertThrows(IllegalArgumentException.class, () -> ProcCpu.parse("4242 (java) S 1 2"));
    assertThrows(IllegalArgumentException.class, () -> ProcCpu.parse("garbage"));
  }
}
