package io.quiesce.testkit.guest;

/**
 * The guest writer's last console line {@code W <iteration> <uptime>}: iteration {@code iteration}
 * was appended and fsync'ed on {@code /data} at guest uptime {@code uptimeSeconds}.
 */
public record WriterProgress(long iteration, double uptimeSeconds) {}
