/**
 * The hooks of {@code spec.hooks}: commands run in the guest through the agent's {@code
 * guest-exec}, preFreeze before the freeze and postThaw after the thaw, never inside the window.
 * See docs/hooks.md.
 */
package io.quiesce.hooks;
