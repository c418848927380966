package cuda

import (
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"unsafe"
)

// Context is a CUDA context. The driver keeps a "current context" per OS
// thread while goroutines move between threads, so every method that needs
// the context locks the goroutine to its thread and makes the context
// current there first (cuCtxSetCurrent is a cheap thread-local store). That
// makes a Context, and everything made from it, safe to use from any
// goroutine.
type Context struct {
	d        *Driver
	h        uintptr // CUcontext
	dev      Device
	primary  bool // retained by PrimaryContext: Release releases it
	released atomic.Bool
}

// errReleased is returned by methods of a released Context.
var errReleased = errors.New("cuda: context used after Release")

// ContextFromHandle wraps a CUcontext made by other CUDA code (for example
// gorgonia.org/cu or the CUDA runtime) so that this package can work in it.
// Its owner keeps it: Release only retires the wrapper.
func (d *Driver) ContextFromHandle(h uintptr, dev Device) *Context {
	return &Context{d: d, h: h, dev: dev}
}

// Handle returns the CUcontext, for other CUDA libraries.
func (c *Context) Handle() uintptr { return c.h }

// Device returns the context's device.
func (c *Context) Device() Device { return c.dev }

// Driver returns the driver the context belongs to.
func (c *Context) Driver() *Driver { return c.d }

// do runs f with c current on the calling goroutine's locked OS thread.
func (c *Context) do(f func() error) error {
	if c.released.Load() {
		return errReleased
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := c.d.call(symCtxSetCurrent, c.h); err != nil {
		return err
	}
	return f()
}

// SetCurrent makes c the current context of the calling OS thread, for
// calling into other CUDA code on that thread; lock the goroutine to its
// thread (runtime.LockOSThread) first, or the setting may not stay with it.
// This package's own methods do not need it.
func (c *Context) SetCurrent() error {
	if c.released.Load() {
		return errReleased
	}
	return c.d.call(symCtxSetCurrent, c.h)
}

// Synchronize waits until all work in the context has finished
// (cuCtxSynchronize). A kernel's fault surfaces here, or at the next call.
func (c *Context) Synchronize() error {
	return c.do(func() error { return c.d.call(symCtxSynchronize) })
}

// MemGetInfo returns the free and total device memory in bytes.
func (c *Context) MemGetInfo() (free, total uint64, err error) {
	err = c.do(func() error {
		return c.d.call(symMemGetInfo, uintptr(unsafe.Pointer(&free)), uintptr(unsafe.Pointer(&total)))
	})
	return free, total, err
}

// Release releases a primary context retained by Device.PrimaryContext
// (cuDevicePrimaryCtxRelease); the driver destroys it when the last
// retainer releases it. For a context from ContextFromHandle it only
// retires the wrapper. Using c afterwards is an error.
func (c *Context) Release() error {
	if !c.released.CompareAndSwap(false, true) {
		return errReleased
	}
	if !c.primary {
		return nil
	}
	if err := c.d.call(symDevicePrimaryCtxRelease, uintptr(c.dev.h)); err != nil {
		return fmt.Errorf("cuda: release primary context of device %d: %w", c.dev.ordinal, err)
	}
	return nil
}
