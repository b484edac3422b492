package io.quiesce.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.quiesce.api.v1alpha1.QuiescedSnapshotRestoreStatus;
import io.quiesce.api.v1alpha1.QuiescedSnapshotScheduleStatus;
import io.quiesce.api.v1alpha1.QuiescedSnapshotStatus;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Guards the one copy and equality of the status classes ({@link ApiValues}): every class reachable
 * from the snapshot's, the restore's and the schedule's status gets every field set to a value of
 * its own, and each field must survive a copy, make two objects unequal when it differs, and count
 * in the hash code. A field the JSON form does not carry (no getter or setter) or a class that
 * still compares by hand fails here, with the field's name.
 */
class ApiValuesTest {

  @Test
  void everyFieldOfTheSnapshotStatusTreeIsCopiedAndCompared() throws Exception {
    Set<Class<?>> classes = new LinkedHashSet<>();
    for (Class<?> root :
        List.of(
            QuiescedSnapshotStatus.class,
            QuiescedSnapshotRestoreStatus.class,
            QuiescedSnapshotScheduleStatus.class)) {
      classes.addAll(statusTree(root));
    }
    assertThat(classes).hasSizeGreaterThan(10); // the three statuses and their records
    for (Class<?> type : classes) {
      Object filled = filled(type);
      Object copy = ApiValues.copy(filled);
      for (Field f : fields(type)) {
        String where = type.getSimpleName() + "." + f.getName();
        assertThat(f.get(filled)).as(where + " is filled").isNotNull();
        assertThat(f.get(copy)).as(where + " survives a copy").isEqualTo(f.get(filled));
        Object differs = ApiValues.copy(filled);
        f.set(differs, null);
        assertThat(differs).as(where + " counts in equals").isNotEqualTo(filled);
        assertThat(differs.hashCode())
            .as(where + " counts in hashCode")
            .isNotEqualTo(filled.hashCode());
      }
      assertThat(copy).as(type.getSimpleName()).isNotSameAs(filled).isEqualTo(filled);
      assertThat(copy.hashCode()).as(type.getSimpleName()).isEqualTo(filled.hashCode());
    }
  }

  @Test
  void aCopyIsDeep() {
    QuiescedSnapshotStatus status = (QuiescedSnapshotStatus) filled(QuiescedSnapshotStatus.class);
    QuiescedSnapshotStatus copy = ApiValues.copy(status);
    copy.getVolumeSnapshots().get(0).setReadyToUse(false);
    copy.getConditions().get(0).setReason("Changed");
    assertThat(status.getVolumeSnapshots().get(0).getReadyToUse()).isTrue();
    assertThat(status.getConditions().get(0).getReason()).isNotEqualTo("Changed");
    assertThat(copy).isNotEqualTo(status);
  }

  @Test
  void nullCopiesToNull() {
    assertThat(ApiValues.copy((QuiescedSnapshotStatus) null)).isNull();
  }

  /** The project's classes reachable from {@code root} through fields and list elements. */
  private static Set<Class<?>> statusTree(Class<?> root) {
    Set<Class<?>> found = new LinkedHashSet<>();
    List<Class<?>> todo = new ArrayList<>(List.of(root));
    while (!todo.isEmpty()) {
      Class<?> c = todo.remove(0);
      if (!c.getName().startsWith("io.quiesce.") || c.isEnum() || !found.add(c)) {
        continue;
      }
      for (Field f : fields(c)) {
        todo.add(f.getType());
        if (f.getGenericType() instanceof ParameterizedType p) {
          for (Type arg : p.getActualTypeArguments()) {
            if (arg instanceof Class<?> a) {
              todo.add(a);
            }
          }
        }
      }
    }
    return found;
  }

  private static List<Field> fields(Class<?> type) {
    List<Field> fields = new ArrayList<>();
    for (Field f : type.getDeclaredFields()) {
      if (!Modifier.isStatic(f.getModifiers()) && !f.isSynthetic()) {
        f.setAccessible(true);
        fields.add(f);
      }
    }
    return fields;
  }

  /** An instance with every field set to a non-null value that a round trip keeps. */
  private static Object filled(Class<?> type) {
    try {
      var constructor = type.getDeclaredConstructor();
      constructor.setAccessible(true);
      Object o = constructor.newInstance();
      for (Field f : fields(type)) {
        f.set(o, value(f.getName(), f.getType(), f.getGenericType()));
      }
      return o;
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(type + " cannot be filled", e);
    }
  }

  private static Object value(String name, Class<?> type, Type generic) {
    if (type == String.class) {
      return name + "-value";
    }
    if (type == Boolean.class) {
      return true;
    }
    if (type == Long.class) {
      return 7L;
    }
    if (type == Integer.class) {
      return 3;
    }
    if (type.isEnum()) {
      Object[] constants = type.getEnumConstants();
      return constants[constants.length - 1];
    }
    if (type == Quantity.class) {
      return new Quantity("5Gi");
    }
    if (type == JsonNode.class) {
      return JsonNodeFactory.instance.objectNode().put("running", true);
    }
    if (type == Condition.class) {
      return new ConditionBuilder()
          .withType("Ready")
          .withStatus("True")
          .withReason("Succeeded")
          .withMessage("done")
          .withObservedGeneration(2L)
          .withLastTransitionTime("2026-01-01T00:00:00Z")
          .build();
    }
    Type[] args = generic instanceof ParameterizedType p ? p.getActualTypeArguments() : new Type[0];
    if (type == List.class) {
      Class<?> element = (Class<?>) args[0];
      return new ArrayList<>(List.of(value(name, element, element)));
    }
    if (type == Map.class) {
      return Map.of("key", name + "-value");
    }
    if (type.getName().startsWith("io.quiesce.")) {
      return filled(type);
    }
    throw new AssertionError("no test value for " + type + " (" + name + "): add one here");
  }
}
