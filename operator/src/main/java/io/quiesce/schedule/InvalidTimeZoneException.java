package io.quiesce.schedule;

/** The schedule's time zone is not an IANA zone Java knows; the expression itself may be fine. */
public class InvalidTimeZoneException extends InvalidScheduleException {
  public InvalidTimeZoneException(String message) {
    super(message);
  }
}
