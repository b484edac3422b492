package io.quiesce.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.quiesce.api.v1alpha1.QuiescedSnapshotStatus;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link SnapshotStateMachine#operatorFields} copies every status field but those other writers
 * own: a field added to the status is the operator's (copied, compared, written back) unless it is
 * named here and cleared there.
 */
class OperatorFieldsTest {
  /** Written by the node helper, the operator's KubeVirt window, or when the snapshot starts. */
  private static final Set<String> WRITTEN_ELSEWHERE =
      Set.of("freeze", "helperHandBack", "channelAttempts", "vmDefinition");

  @Test
  void copiesEveryFieldButThoseOthersWrite() throws Exception {
    QuiescedSnapshotStatus status = new QuiescedSnapshotStatus();
    List<String> names = new ArrayList<>();
    for (Field f : fields()) {
      f.set(status, value(f));
      names.add(f.getName());
    }
    assertThat(names).containsAll(WRITTEN_ELSEWHERE);

    QuiescedSnapshotStatus copy = SnapshotStateMachine.operatorFields(status);

    for (Field f : fields()) {
      if (WRITTEN_ELSEWHERE.contains(f.getName())) {
        assertThat(f.get(copy)).as(f.getName() + " is left to its writer").isNull();
      } else {
        assertThat(f.get(copy)).as(f.getName() + " is copied").isEqualTo(f.get(status));
      }
    }
    // a copy: deciding on it never changes the status observed
    copy.getVolumeSnapshots().get(0).setReadyToUse(true);
    copy.getConditions().get(0).setReason("Changed");
    assertThat(status.getVolumeSnapshots().get(0).getReadyToUse()).isNull();
    assertThat(status.getConditions().get(0).getReason()).isEqualTo("Frozen");
  }

  @Test
  void twoStatusesHoldTheSameOperatorFieldsWhenTheirCopiesAreEqual() throws Exception {
    for (Field changed : fields()) {
      QuiescedSnapshotStatus a = new QuiescedSnapshotStatus();
      QuiescedSnapshotStatus b = new QuiescedSnapshotStatus();
      for (Field f : fields()) {
        f.set(a, value(f));
        f.set(b, value(f));
      }
      assertThat(SnapshotStateMachine.sameOperatorFields(a, b)).isTrue();
      changed.set(b, null);

      assertThat(SnapshotStateMachine.sameOperatorFields(a, b))
          .as(changed.getName())
          .isEqualTo(
              SnapshotStateMachine.operatorFields(a).equals(SnapshotStateMachine.operatorFields(b)))
          .isEqualTo(WRITTEN_ELSEWHERE.contains(changed.getName()));
    }
  }

  private static List<Field> fields() {
    List<Field> fields = new ArrayList<>();
    for (Field f : QuiescedSnapshotStatus.class.getDeclaredFields()) {
      if (!Modifier.isStatic(f.getModifiers())) {
        f.setAccessible(true);
        fields.add(f);
      }
    }
    return fields;
  }

  /** A value for a field: its type's plain instance, a string or number of its own. */
  private static Object value(Field f) throws ReflectiveOperationException {
    Class<?> type = f.getType();
    if (type == String.class) {
      return f.getName() + "-value";
    }
    if (type == Long.class) {
      return 4L;
    }
    if (type.isEnum()) {
      return type.getEnumConstants()[0];
    }
    if (type == List.class) {
      Class<?> element =
          (Class<?>) ((ParameterizedType) f.getGenericType()).getActualTypeArguments()[0];
      Object item =
          element == io.fabric8.kubernetes.api.model.Condition.class
              ? new ConditionBuilder().withType("Progressing").withReason("Frozen").build()
              : element.getDeclaredConstructor().newInstance();
      return new ArrayList<>(List.of(item));
    }
    return type.getDeclaredConstructor().newInstance();
  }
}
