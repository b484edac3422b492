package io.quiesce.schedule;

/** A cron expression or time zone that Quiesce cannot use; the message names the bad part. */
public class InvalidScheduleException extends Exception {
  public InvalidScheduleException(String message) {
    super(message);
  }
}
