package io.quiesce.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.reflect.Field;
import java.lang.reflect.InaccessibleObjectException;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Copy, equality and hash code of the status classes, done once for all of them instead of by hand
 * in each: a copy goes through the class's JSON form (what the API server stores, so a copy is what
 * a read would give), equality and hash code compare every instance field. A field added to a
 * status class is covered at once; {@code ApiValuesTest} fails for a field the JSON form does not
 * carry (no getter or setter).
 */
public final class ApiValues {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final ClassValue<List<Field>> FIELDS =
      new ClassValue<>() {
        @Override
        protected List<Field> computeValue(Class<?> type) {
          List<Field> fields = new ArrayList<>();
          for (Field f : type.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) || f.isSynthetic()) {
              continue;
            }
            try {
              f.setAccessible(true);
            } catch (InaccessibleObjectException e) {
              throw new IllegalStateException("field " + f + " cannot be compared", e);
            }
            fields.add(f);
          }
          return List.copyOf(fields);
        }
      };

  private ApiValues() {}

  /** A deep copy of {@code value} through its JSON form; null stays null. */
  @SuppressWarnings("unchecked")
  public static <T> T copy(T value) {
    return value == null ? null : (T) JSON.convertValue(JSON.valueToTree(value), value.getClass());
  }

  /** Whether {@code a} and {@code other} are of the same class with equal instance fields. */
  public static boolean fieldsEqual(Object a, Object other) {
    if (a == other) {
      return true;
    }
    if (other == null || a.getClass() != other.getClass()) {
      return false;
    }
    for (Field f : FIELDS.get(a.getClass())) {
      if (!Objects.equals(read(f, a), read(f, other))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether {@code a} and {@code other} are of the same class with equal instance fields, those
   * named in {@code ignored} left out: the comparison of two copies without those fields, without
   * the copies.
   */
  public static boolean fieldsEqualExcept(Object a, Object other, Set<String> ignored) {
    if (a == other) {
      return true;
    }
    if (a == null || other == null || a.getClass() != other.getClass()) {
      return false;
    }
    for (Field f : FIELDS.get(a.getClass())) {
      if (!ignored.contains(f.getName()) && !Objects.equals(read(f, a), read(f, other))) {
        return false;
      }
    }
    return true;
  }

  /** A hash code over every instance field, consistent with {@link #fieldsEqual}. */
  public static int fieldsHash(Object a) {
    int hash = 1;
    for (Field f : FIELDS.get(a.getClass())) {
      hash = 31 * hash + Objects.hashCode(read(f, a));
    }
    return hash;
  }

  private static Object read(Field f, Object from) {
    try {
      return f.get(from);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }
}
