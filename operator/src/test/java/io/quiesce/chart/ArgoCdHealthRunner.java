package io.quiesce.chart;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LoadState;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.compiler.LuaC;
import org.luaj.vm2.lib.BaseLib;
import org.luaj.vm2.lib.PackageLib;
import org.luaj.vm2.lib.TableLib;

/**
 * Runs an Argo CD health script on an object the way Argo CD's controller does for a script from
 * argocd-cm: only Lua's base, package and table libraries (no string, math or io), the object as
 * the global {@code obj} converted like Argo CD's decodeValue (JSON objects become tables with
 * string keys, arrays tables indexed from 1, every number a float, null no entry at all), the
 * returned table read as {status, message}, and an unknown status turned into Unknown.
 */
final class ArgoCdHealthRunner {
  /** The health codes Argo CD accepts from a script. */
  static final Set<String> STATUSES =
      Set.of("Healthy", "Progressing", "Degraded", "Suspended", "Missing", "Unknown");

  /** Argo CD gives a script one second. */
  private static final long TIMEOUT_MS = 1_000;

  /** What the script decided. */
  record Health(String status, String message) {}

  private ArgoCdHealthRunner() {}

  static Health run(String script, JsonNode object) {
    ExecutorService executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "argocd-lua");
              t.setDaemon(
                  true); // LuaJ cannot be interrupted; a runaway script must not keep the JVM alive
              return t;
            });
    try {
      Future<Health> health = executor.submit(() -> evaluate(script, object));
      return health.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("health script ran longer than " + TIMEOUT_MS + " ms", e);
    } catch (ExecutionException e) {
      throw new AssertionError("health script failed: " + e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } finally {
      executor.shutdownNow();
    }
  }

  private static Health evaluate(String script, JsonNode object) {
    Globals globals = new Globals();
    globals.load(new BaseLib());
    globals.load(new PackageLib());
    globals.load(new TableLib());
    LoadState.install(globals);
    LuaC.install(globals);
    // LuaJ keeps the string metatable in a static that StringLib sets; without the string
    // library (as in Argo CD) ("x"):upper() must fail, so make sure nothing left it set.
    LuaString.s_metatable = null;
    globals.set("obj", toLua(object));

    LuaValue result = globals.load(script, "health.lua").call();
    if (!result.istable()) {
      throw new IllegalStateException(
          "expect table output from Lua script, not " + result.typename());
    }
    String status = result.get("status").isstring() ? result.get("status").tojstring() : null;
    String message = result.get("message").isstring() ? result.get("message").tojstring() : null;
    if (!STATUSES.contains(status)) {
      return new Health("Unknown", "Lua returned an invalid health status");
    }
    return new Health(status, message);
  }

  /** JSON to Lua values, as Argo CD's decodeValue does. */
  static LuaValue toLua(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return LuaValue.NIL;
    }
    if (node.isBoolean()) {
      return LuaValue.valueOf(node.booleanValue());
    }
    if (node.isNumber()) {
      return LuaValue.valueOf(node.doubleValue());
    }
    if (node.isTextual()) {
      return LuaValue.valueOf(node.textValue());
    }
    LuaTable table = new LuaTable();
    if (node.isArray()) {
      int index = 1;
      for (JsonNode item : node) {
        table.set(index++, toLua(item));
      }
      return table;
    }
    for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
      Map.Entry<String, JsonNode> field = fields.next();
      table.set(field.getKey(), toLua(field.getValue()));
    }
    return table;
  }
}
