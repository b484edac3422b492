/**
 * The node helper's local freeze journal ({@link io.quiesce.journal.FreezeJournal}): what this
 * helper froze and has not seen thawed, on the node's disk, so that a restarted helper thaws it
 * first with no API server and never thaws a freeze it did not make.
 */
package io.quiesce.journal;
