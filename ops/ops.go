// Package ops holds the typed entry points of the shipped kernels on a
// session: FlashForward (kernels/flash), RopeApply (kernels/rope),
// MoERoute and MoECombineRows (kernels/moe). Each builds its kernel's
// problem and plan from tensor shapes, takes the config the session tuned
// (or tunes it now), and binds the tensors to the plan's buffers by name.
//
// They live here, above package session, so that the kernel packages stay
// below the tuner and the session: a program that only describes, checks
// or generates kernels does not import either.
package ops
