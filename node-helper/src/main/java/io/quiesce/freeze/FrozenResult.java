package io.quiesce.freeze;

/**
 * What {@link FreezeEngine#runFrozen} returns.
 *
 * @param value the work's result
 * @param window the freeze window, thawed
 * @param <T> the work's result type
 */
public record FrozenResult<T>(T value, FreezeWindow window) {}
